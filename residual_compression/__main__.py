"""``python -m residual_compression``: the command line."""

import sys

from residual_compression.cli import main

sys.exit(main())
