"""``python -m stride_tui``: the same as the ``stride-tui`` command."""

import sys

from .cli import main

sys.exit(main())
