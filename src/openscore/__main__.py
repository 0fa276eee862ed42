"""``python -m openscore`` runs the command line."""

import sys

from ._entry import main

sys.exit(main())
