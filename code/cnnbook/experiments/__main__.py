"""``python -m cnnbook.experiments``: list the stored results and the commands that make them, or
make them (``--run``); see ``cnnbook.experiments.registry``."""

import sys

from .registry import main

sys.exit(main())
