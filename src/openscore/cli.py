"""The ``openscore`` command line.

Exit status: 0 when every target was graded, 2 on a usage error (bad arguments, a target that is neither a folder
nor a repo id), 3 when a target was not found or the Hub could not be reached. Errors are one line on stderr, never
a traceback (set ``OPENSCORE_DEBUG=1`` to see one). Tokens are never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import errors
from ._version import __version__
from .criteria import rules_version
from .grading import grade
from .hub import HubClient
from .renderers.text import render_text, safe
from .report import Report

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3


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
    g.add_argument("targets", nargs="+", metavar="TARGET", help="a Hub repository id or a folder")
    g.add_argument("--revision", help="branch, tag or commit to grade (Hub repositories only)")
    g.add_argument("--json", action="store_true", help="print JSON (an object, or an array for several targets)")
    g.add_argument("--verbose", "-v", action="store_true", help="show every finding with its evidence")
    g.add_argument(
        "--token",
        help="Hub access token (default: HF_TOKEN or the stored login); prefer HF_TOKEN, which stays out of "
        "the process list",
    )
    g.add_argument("--endpoint", help="the Hub's URL (default: HF_ENDPOINT or https://huggingface.co)")

    sub.add_parser("schema", help="print the JSON Schema of the report")
    return parser


def _error_entry(target: str, exc: errors.OpenscoreError) -> dict[str, Any]:
    return {"target": target, "error": {"kind": exc.kind, "message": exc.message}}


def _grade_command(args: argparse.Namespace) -> int:
    client: HubClient | None = None
    token: str | None = args.token or None
    results: list[Report | tuple[str, errors.OpenscoreError]] = []
    status = EXIT_OK
    for target in args.targets:
        try:
            if client is None and not os.path.isdir(target):
                client = HubClient(endpoint=args.endpoint, token=token)
            report = grade(target, revision=args.revision, client=client)
            results.append(report)
        except errors.OpenscoreError as exc:
            message = exc.message
            if token:
                message = message.replace(token, "***")
            exc.message = message
            results.append((target, exc))
            status = max(status, exc.exit_code)
            if not args.json:
                print(safe(f"openscore: {message}"), file=sys.stderr)
    if args.json:
        items: list[dict[str, Any]] = [
            r.to_dict() if isinstance(r, Report) else _error_entry(r[0], r[1]) for r in results
        ]
        payload: Any = items[0] if len(items) == 1 and isinstance(results[0], Report) else items
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        if len(items) == 1 and not isinstance(results[0], Report):
            print(safe(f"openscore: {results[0][1].message}"), file=sys.stderr)
    else:
        first = True
        for r in results:
            if isinstance(r, Report):
                if not first:
                    print("\n" + "-" * 72 + "\n")
                print(render_text(r, verbose=args.verbose))
                first = False
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "grade":
            return _grade_command(args)
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
