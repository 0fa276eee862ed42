"""The ``openscore`` command's entry point: ``--version`` answers without importing the grading machinery (the Hub
client, the HTTP stack, pydantic); everything else is :func:`openscore.cli.main`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

#: The exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (see :mod:`openscore.cli`); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        from ._rules import rules_version
        from ._version import __version__

        print(f"openscore {__version__} (rules {rules_version()})")
        return 0
    from .cli import main as cli_main

    status = cli_main(args)
    if status == EXIT_INTERRUPTED and argv is None:
        _leave_now(status)
    return status


def _leave_now(status: int) -> None:
    """End the process at once after Ctrl-C. The batch has cancelled its pending targets, but requests already in
    flight run in worker threads that the interpreter would join at exit (each up to its deadline); what the command
    wrote is flushed first, so an ``-o`` file or a JSONL stream keeps every line it got. Only for the command line
    (``argv`` None): a program that calls :func:`main` keeps its own process."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed or broken stream: nothing more to save
            stream.flush()
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
