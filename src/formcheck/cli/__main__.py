"""``python -m formcheck.cli``: the ``formcheck`` command."""

import sys

from formcheck.cli import run

sys.exit(run())
