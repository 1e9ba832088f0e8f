"""`python -m toolkit <command>`: see `toolkit.cli` for the command table."""
from __future__ import annotations

import sys

from toolkit.cli import main

if __name__ == "__main__":
    sys.exit(main())
