"""The ``openscore`` command line.

Exit status: 0 when every target was graded, 1 when a verdict is less open than ``--fail-below``, 2 on a usage
error (bad arguments, a target that is neither a folder nor a repo id), 3 when a target was not found or the Hub
could not be reached. Errors are one line on stderr, never
a traceback (set ``OPENSCORE_DEBUG=1`` to see one). Tokens are never printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import errors
from ._version import __version__
from .batch import Failure, iter_grade
from .codehosts import user_cache_dir
from .criteria import Verdict, rules_version
from .grading import Grader
from .hub import ModelFacts, check_token
from .renderers.badge import render_badge
from .renderers.text import render_text, safe
from .report import Report

EXIT_OK = 0
EXIT_BELOW = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3


VERDICT_ORDER = [v.value for v in Verdict]  # most open first

#: ``grade --format`` values; text, json and jsonl stream, the others are written once every target is graded.
FORMATS = ("text", "json", "jsonl", "markdown", "html", "sarif", "cyclonedx", "spdx")
_STREAMED = ("text", "jsonl")

#: A Hub page pasted as a target: ``https://huggingface.co/org/name`` or ``.../org/name/tree/<revision>``.
_HUB_URL = re.compile(
    r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?!datasets/|spaces/)"
    r"(?P<repo>[^/?#\s]+/[^/?#\s]+)(?:/tree/(?P<rev>[^?#\s]+?))?/?(?:[?#].*)?$"
)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openscore",
        description="Grade AI model releases against the Open Source AI Definition 1.0 (OSAID).",
    )
    parser.add_argument("--version", action="version", version=f"openscore {__version__} (rules {rules_version()})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    g = sub.add_parser(
        "grade",
        help="grade Hub repositories or local folders",
        description="Grade each TARGET (a Hub repo id such as org/name, or a local folder) against OSAID 1.0.",
    )
    g.add_argument("targets", nargs="*", metavar="TARGET", help="a Hub repository id or a folder")
    g.add_argument("--author", metavar="ORG", help="grade every model of this Hub user or organisation")
    g.add_argument("--from-file", metavar="FILE", help="read targets from FILE, one per line ('-' for stdin)")
    g.add_argument("--revision", help="branch, tag or commit to grade (Hub repositories only)")
    out = g.add_mutually_exclusive_group()
    out.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        default=None,
        help="output format: text (default), json (an object, or an array for several targets), jsonl (one "
        "object per line as targets finish), markdown, html (a standalone page), sarif (SARIF 2.1.0 for code "
        "scanning), cyclonedx (CycloneDX 1.6 ML-BOM; pip install 'openscore[bom]'), spdx (SPDX 3.0 AI profile "
        "JSON-LD)",
    )
    out.add_argument("--json", action="store_true", help="the same as --format json")
    out.add_argument("--jsonl", action="store_true", help="the same as --format jsonl")
    g.add_argument("-o", "--output", metavar="FILE", help="write the output to FILE instead of standard output")
    g.add_argument(
        "--quiet", "-q", action="store_true", help="print no summary line and no notes; errors are still printed"
    )
    g.add_argument("--verbose", "-v", action="store_true", help="show every finding with its evidence")
    g.add_argument(
        "--fail-below",
        choices=VERDICT_ORDER,
        metavar="VERDICT",
        help="exit with status 1 when a verdict is less open than VERDICT (order: " + " > ".join(VERDICT_ORDER) + ")",
    )
    g.add_argument("--max-workers", type=_positive_int, default=8, help="releases graded at once (default 8)")
    g.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="deadline of each Hub request (default 20); a release gets 4 times it in all",
    )
    g.add_argument("--cache-dir", help="keep Hub API answers here, keyed by commit, for re-runs and --offline")
    g.add_argument("--offline", action="store_true", help="grade from --cache-dir and the Hub file cache only")
    g.add_argument(
        "--no-code-lookup",
        action="store_true",
        help="do not ask code hosts (GitHub, GitLab, Hub Spaces) for the licenses of linked code repositories "
        "(asked by default, cached; GITHUB_TOKEN/GH_TOKEN and GITLAB_TOKEN go to their own API only)",
    )
    g.add_argument("--lookup-code-licenses", action="store_true", help=argparse.SUPPRESS)  # the default now
    g.add_argument(
        "--token",
        help="Hub access token (default: HF_TOKEN or the stored login); prefer HF_TOKEN, which stays out of "
        "the process list",
    )
    g.add_argument("--endpoint", help="the Hub's URL (default: HF_ENDPOINT or https://huggingface.co)")

    b = sub.add_parser(
        "badge",
        help="write an OSAID 1.0 badge for one target",
        description="Grade TARGET and write its badge: SVG (rendered locally), shields.io endpoint JSON, "
        "or a Markdown/HTML snippet.",
    )
    b.add_argument("target", metavar="TARGET", help="a Hub repository id or a folder")
    b.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    b.add_argument("--format", choices=["svg", "endpoint", "markdown", "html"], default="svg")
    b.add_argument("--style", choices=["verdict", "criteria"], default="verdict")
    b.add_argument("--label", default="OSAID 1.0", help="the left-hand text (default: OSAID 1.0)")
    b.add_argument("--link", help="where the Markdown/HTML badge links to (default: the Hub page)")
    b.add_argument("--image", help="the badge image URL or path for Markdown/HTML (default: a shields.io URL)")
    b.add_argument("--revision", help="branch, tag or commit to grade (Hub repositories only)")
    b.add_argument("--fail-below", choices=VERDICT_ORDER, metavar="VERDICT", help="as for grade")
    b.add_argument("--token", help="Hub access token (default: HF_TOKEN or the stored login)")
    b.add_argument("--endpoint", help="the Hub's URL (default: HF_ENDPOINT or https://huggingface.co)")

    sub.add_parser("schema", help="print the JSON Schema of the report")

    c = sub.add_parser(
        "census",
        help="grade a bulk dump of Hub model cards on Dask (needs openscore[census])",
        description="Grade every card of SOURCE (Parquet dumps in the librarian-bots/model_cards_with_metadata "
        "layout, local or hf://datasets/..., or JSONL/JSONL.gz) and write census.parquet/ and the census report.",
    )
    c.add_argument("sources", nargs="+", metavar="SOURCE", help="a Parquet file/folder/URL or a JSONL(.gz) file")
    c.add_argument("-o", "--output", metavar="DIR", default="census", help="output folder (default: census)")
    c.add_argument("--workers", type=int, help="local worker processes (default: one per core)")
    c.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://host:8786")
    c.add_argument(
        "--partition-rows", type=int, help="rows per JSONL partition (default: about 4 per worker, at most 2000)"
    )
    c.add_argument("--no-progress", action="store_true", help="no progress bar")
    e = sub.add_parser("explain", help="what a finding id means", description="Explain a finding id.")
    e.add_argument("finding_id", metavar="ID", help="a finding id, such as license-drift")
    return parser


def _badge_command(args: argparse.Namespace) -> int:
    grader = Grader(endpoint=args.endpoint, token=args.token or None)
    try:
        report = grader.grade(args.target, revision=args.revision)
    except errors.OpenscoreError as exc:
        print(safe(f"openscore: {exc.message}"), file=sys.stderr)
        return exc.exit_code
    text = render_badge(
        report, format=args.format, style=args.style, label=args.label, link=args.link, image=args.image
    )
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text if text.endswith("\n") else text + "\n")
        except OSError as exc:
            print(safe(f"openscore: cannot write {args.output}: {exc.strerror}"), file=sys.stderr)
            return EXIT_USAGE
        print(safe(f"{args.output}: {report.verdict.value}"), file=sys.stderr)
    else:
        print(text)
    line = fail_below_message(report, args.fail_below) if args.fail_below else None
    if line:
        print(safe(f"openscore: {line}"), file=sys.stderr)
    return _exit_code(report, args.fail_below)


def _census_command(args: argparse.Namespace) -> int:
    try:
        from .census import CensusUnavailableError, run_census
    except ImportError:  # pragma: no cover - the module itself imports no optional dependency
        print("openscore: the census needs dask: pip install 'openscore[census]'", file=sys.stderr)
        return EXIT_USAGE
    if args.workers is not None and args.workers < 1:
        print("openscore: --workers must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = run_census(
            args.sources,
            args.output,
            workers=args.workers,
            scheduler=args.scheduler,
            partition_rows=max(1, args.partition_rows) if args.partition_rows else None,
            progress_bar=not args.no_progress,
        )
    except CensusUnavailableError as exc:
        print(safe(f"openscore: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ValueError) as exc:
        print(safe(f"openscore: census failed: {type(exc).__name__}: {exc}".splitlines()[0]), file=sys.stderr)
        return EXIT_NOT_FOUND
    counts = ", ".join(f"{k}={v}" for k, v in sorted(result.verdicts.items()))
    print(f"{result.rows} releases graded ({counts})")
    print(f"table:  {result.table}")
    print(f"report: {result.report_md} and {result.report_html}")
    weights_note = result.weight_evidence_note()
    for note in [*result.notes, *([weights_note] if weights_note else [])]:
        print(f"note: {note}", file=sys.stderr)
    return EXIT_OK


def _targets(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[str]:
    targets = list(args.targets)
    if args.from_file:
        try:
            if args.from_file == "-":
                lines = sys.stdin.read().splitlines()
            else:
                with open(args.from_file, encoding="utf-8") as fh:
                    lines = fh.read().splitlines()
        except OSError as exc:
            parser.error(f"cannot read --from-file {args.from_file}: {exc.strerror}")
        targets += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not targets and not args.author:
        parser.error("give at least one TARGET, --from-file or --author")
    targets = _hub_urls(targets, args, parser)
    if args.offline and not args.cache_dir:
        parser.error("--offline needs --cache-dir")
    if args.timeout is not None and not (math.isfinite(args.timeout) and args.timeout > 0):
        parser.error("--timeout must be a positive number of seconds")
    return targets


def _hub_urls(targets: list[str], args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[str]:
    """Hub page URLs as repository ids; a ``/tree/<revision>`` URL gives the revision."""
    out: list[str] = []
    revisions: set[str] = set()
    for target in targets:
        match = _HUB_URL.match(target.strip())
        if match is None:
            out.append(target)
            continue
        out.append(match["repo"])
        if match["rev"]:
            revisions.add(match["rev"])
    if revisions:
        wanted = {args.revision} if args.revision else set()
        if len(revisions | wanted) > 1:
            parser.error("the targets name different revisions: grade one revision per run")
        args.revision = revisions.pop()
    return out


def _output_format(args: argparse.Namespace) -> str:
    if args.json:
        return "json"
    if args.jsonl:
        return "jsonl"
    return str(args.format or "text")


def _use_colour(args: argparse.Namespace) -> bool:
    """Colour only on a terminal, and never with ``NO_COLOR`` set (https://no-color.org)."""
    if args.output or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def _terminal_width(args: argparse.Namespace, sink: Any) -> int | None:
    """The terminal's width (``COLUMNS`` honoured) when the text goes to a terminal; None otherwise (no wrapping)."""
    isatty = getattr(sink, "isatty", None)
    if args.output or not (isatty and isatty()):
        return None
    return shutil.get_terminal_size().columns


_ANSI = {
    "open-source-ai": "\033[1;32m",
    "open-weights": "\033[32m",
    "undetermined": "\033[1;37m",
    "weights-available": "\033[33m",
    "closed": "\033[31m",
    "[+]": "\033[32m",
    "[~]": "\033[33m",
    "[-]": "\033[31m",
    "[?]": "\033[37m",
}
_COLOUR_LINE = re.compile(r"^(Verdict: )(\S+)|^(\[[+~?-]\])", re.MULTILINE)


def _colourise(text: str) -> str:
    """ANSI colour for the verdict and the criterion marks (stranger text was cleaned of escapes already)."""

    def paint(match: re.Match[str]) -> str:
        if match[3]:
            return f"{_ANSI[match[3]]}{match[3]}\033[0m"
        return f"{match[1]}{_ANSI.get(match[2], '')}{match[2]}\033[0m"

    return _COLOUR_LINE.sub(paint, text)


def fail_below_message(report: Report, fail_below: str) -> str | None:
    """One line saying why ``report`` falls short of ``fail_below``, or None when it does not."""
    if VERDICT_ORDER.index(report.verdict.value) <= VERDICT_ORDER.index(fail_below):
        return None
    # Below open-weights only the weights and their terms count; open-source-ai needs all four criteria.
    counted = None if fail_below == "open-source-ai" else {"parameters", "usage_terms"}
    unmet = [(name, result) for name, result in report.criteria.items() if result.status.value != "met"]
    relevant = [(n, r) for n, r in unmet if counted is None or n.value in counted] or unmet
    short = [f"{n.value.replace('_', ' ')} {r.status.value} ({r.summary.rstrip('.')})" for n, r in relevant]
    why = "; ".join(short) if short else report.verdict_reason
    return f"{report.target}: {report.verdict.value} is below {fail_below}: {why}"


def _summary_line(reports: list[Report], failures: list[Failure]) -> str:
    counts: dict[str, int] = {}
    for r in reports:
        counts[r.verdict.value] = counts.get(r.verdict.value, 0) + 1
    total = len(reports) + len(failures)
    parts = [f"{counts[v]} {v}" for v in VERDICT_ORDER if v in counts]
    if failures:
        parts.append(f"{len(failures)} not graded")
    return f"openscore: {total} target{'s' if total != 1 else ''}: " + (", ".join(parts) or "none")


def _exit_code(result: Report | Failure, fail_below: str | None) -> int:
    if isinstance(result, Failure):
        return EXIT_USAGE if result.kind == "invalid-target" else EXIT_NOT_FOUND
    if fail_below and VERDICT_ORDER.index(result.verdict.value) > VERDICT_ORDER.index(fail_below):
        return EXIT_BELOW
    return EXIT_OK


def _grade_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    targets = _targets(args, parser)
    token: str | None = args.token or None
    # Reading the stored token needs huggingface_hub (slow to import): when every target is a folder it is left
    # for the Hub client, made only if a folder's card names a base model (which checks it the same way).
    folders_only = not args.author and all(os.path.isdir(t) for t in targets)
    try:
        if token is not None or not folders_only:
            check_token(token)
    except errors.OpenscoreError as exc:
        print(safe(f"openscore: {exc.message}"), file=sys.stderr)
        return exc.exit_code
    grader = Grader(
        endpoint=args.endpoint,
        token=token,
        offline=args.offline,
        api_cache_dir=args.cache_dir,
        code_lookup=not args.no_code_lookup,
        code_cache_dir=Path(args.cache_dir) / "codehosts" if args.cache_dir else user_cache_dir() / "codehosts",
        timeout=args.timeout,
    )
    if args.author:
        try:
            listed = grader.client.list_models(args.author)
        except errors.OpenscoreError as exc:
            print(safe(f"openscore: {exc.message}"), file=sys.stderr)
            return exc.exit_code
        if not listed:
            print(
                safe(f"openscore: {args.author} has no public models (or no such user or organisation)"),
                file=sys.stderr,
            )
            if not targets:
                return EXIT_NOT_FOUND
        items: list[str | ModelFacts] = [*targets, *listed]
    else:
        items = list(targets)
    fmt = _output_format(args)
    try:
        sink = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    except OSError as exc:
        print(safe(f"openscore: cannot write {args.output}: {exc.strerror}"), file=sys.stderr)
        return EXIT_USAGE
    try:
        status = _write_results(args, grader, items, fmt, token, sink)
    finally:
        if sink is not sys.stdout:
            sink.close()
    return status


def _write_results(
    args: argparse.Namespace, grader: Grader, items: list[str | ModelFacts], fmt: str, token: str | None, sink: Any
) -> int:
    results = iter_grade(items, grader=grader, max_workers=args.max_workers, revision=args.revision)
    colour = fmt == "text" and _use_colour(args)
    status = EXIT_OK
    collected: list[Report | Failure] = []
    reports: list[Report] = []
    failures: list[Failure] = []
    below: list[str] = []
    first = True
    for result in results:
        status = max(status, _exit_code(result, args.fail_below))
        if isinstance(result, Failure):
            message = result.message.replace(token, "***") if token else result.message
            result = Failure(target=result.target, kind=result.kind, message=message)
            failures.append(result)
            if fmt in _STREAMED:
                print(safe(f"openscore: {message}"), file=sys.stderr)
        else:
            reports.append(result)
            if args.fail_below:
                line = fail_below_message(result, args.fail_below)
                if line:
                    below.append(line)
        if fmt == "jsonl":
            print(json.dumps(_as_dict(result), ensure_ascii=True), file=sink, flush=True)
        elif fmt == "text":
            if isinstance(result, Report):
                if not first:
                    print("\n" + "-" * 72 + "\n", file=sink)
                text = render_text(result, verbose=args.verbose, width=_terminal_width(args, sink))
                print(_colourise(text) if colour else text, file=sink, flush=True)
                first = False
        else:
            collected.append(result)
    if fmt == "json":
        single = len(collected) == 1 and not args.author and not args.from_file
        payload: Any = _as_dict(collected[0]) if single else [_as_dict(r) for r in collected]
        print(json.dumps(payload, indent=2, ensure_ascii=True), file=sink)
    elif fmt not in _STREAMED and reports:
        from .renderers.documents import render_document

        try:
            document = render_document(reports, fmt)
        except ImportError as exc:
            print(safe(f"openscore: {exc}"), file=sys.stderr)
            return EXIT_USAGE
        sink.write(document if document.endswith("\n") else document + "\n")
    if fmt not in _STREAMED:
        for failure in failures:
            print(safe(f"openscore: {failure.message}"), file=sys.stderr)
    for line in below:
        print(safe(f"openscore: {line}"), file=sys.stderr)
    several = len(reports) + len(failures) > 1 or bool(args.author) or bool(args.from_file)
    if several and not args.quiet:
        line = _summary_line(reports, failures)
        if fmt == "text" and not args.output:
            print("\n" + line, file=sink)
        else:
            print(line, file=sys.stderr)
    if args.output and not args.quiet:
        print(safe(f"openscore: wrote {args.output} ({fmt})"), file=sys.stderr)
    return status


def _as_dict(result: Report | Failure) -> dict[str, Any]:
    return result.to_dict()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "grade":
            return _grade_command(args, parser)
        if args.command == "badge":
            return _badge_command(args)
        if args.command == "census":
            return _census_command(args)
        if args.command == "explain":
            from .explain import explain

            try:
                print(explain(args.finding_id))
            except KeyError as exc:
                print(safe(f"openscore: {exc.args[0]}"), file=sys.stderr)
                return EXIT_USAGE
            return EXIT_OK
        if args.command == "schema":
            print(json.dumps(Report.json_schema(), indent=2))
            return EXIT_OK
        parser.print_help()
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("openscore: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``openscore grade ... | head -1``): stop quietly. Python would otherwise complain
        # again when it flushes stdout at exit, so point stdout at /dev/null first.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except Exception as exc:  # a bug: still one line, unless debugging
        if os.environ.get("OPENSCORE_DEBUG"):
            raise
        print(
            f"openscore: internal error ({type(exc).__name__}); set OPENSCORE_DEBUG=1 for details",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
