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
import sys
from collections.abc import Iterable, Sequence
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
    out.add_argument("--json", action="store_true", help="print JSON (an object, or an array for several targets)")
    out.add_argument("--jsonl", action="store_true", help="stream one JSON object per line as targets finish")
    g.add_argument("--verbose", "-v", action="store_true", help="show every finding with its evidence")
    g.add_argument(
        "--fail-below",
        choices=VERDICT_ORDER,
        metavar="VERDICT",
        help="exit with status 1 when a verdict is less open than VERDICT (order: " + " > ".join(VERDICT_ORDER) + ")",
    )
    g.add_argument("--max-workers", type=int, default=8, help="releases graded at once (default 8)")
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
    c.add_argument("--partition-rows", type=int, default=2000, help="rows per JSONL partition (default: 2000)")
    c.add_argument("--no-progress", action="store_true", help="no progress bar")
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
            partition_rows=max(1, args.partition_rows),
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
    for note in result.notes:
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
    if args.offline and not args.cache_dir:
        parser.error("--offline needs --cache-dir")
    if args.timeout is not None and not (math.isfinite(args.timeout) and args.timeout > 0):
        parser.error("--timeout must be a positive number of seconds")
    return targets


def _exit_code(result: Report | Failure, fail_below: str | None) -> int:
    if isinstance(result, Failure):
        return EXIT_USAGE if result.kind == "invalid-target" else EXIT_NOT_FOUND
    if fail_below and VERDICT_ORDER.index(result.verdict.value) > VERDICT_ORDER.index(fail_below):
        return EXIT_BELOW
    return EXIT_OK


def _grade_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    targets = _targets(args, parser)
    token: str | None = args.token or None
    try:
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
    results: Iterable[Report | Failure]
    if args.author:
        try:
            listed = grader.client.list_models(args.author)
        except errors.OpenscoreError as exc:
            print(safe(f"openscore: {exc.message}"), file=sys.stderr)
            return exc.exit_code
        items: list[str | ModelFacts] = [*targets, *listed]
    else:
        items = list(targets)
    results = iter_grade(items, grader=grader, max_workers=max(1, args.max_workers), revision=args.revision)
    status = EXIT_OK
    collected: list[Report | Failure] = []
    first = True
    for result in results:
        status = max(status, _exit_code(result, args.fail_below))
        if isinstance(result, Failure):
            message = result.message.replace(token, "***") if token else result.message
            result = Failure(target=result.target, kind=result.kind, message=message)
            if not args.json and not args.jsonl:
                print(safe(f"openscore: {message}"), file=sys.stderr)
        if args.jsonl:
            print(json.dumps(_as_dict(result), ensure_ascii=True), flush=True)
        elif args.json:
            collected.append(result)
        elif isinstance(result, Report):
            if not first:
                print("\n" + "-" * 72 + "\n")
            print(render_text(result, verbose=args.verbose), flush=True)
            first = False
    if args.json:
        single = len(collected) == 1 and not args.author and not args.from_file
        payload: Any = _as_dict(collected[0]) if single else [_as_dict(r) for r in collected]
        print(json.dumps(payload, indent=2, ensure_ascii=True))
        for r in collected:
            if isinstance(r, Failure):
                print(safe(f"openscore: {r.message}"), file=sys.stderr)
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
        if args.command == "schema":
            print(json.dumps(Report.json_schema(), indent=2))
            return EXIT_OK
        parser.print_help()
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("openscore: interrupted", file=sys.stderr)
        return 130
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
