"""The ``openscore`` command's entry point: ``--version`` answers without importing the grading machinery (the Hub
client, the HTTP stack, pydantic); everything else is :func:`openscore.cli.main`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line (see :mod:`openscore.cli`); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        from ._rules import rules_version
        from ._version import __version__

        print(f"openscore {__version__} (rules {rules_version()})")
        return 0
    from .cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
