"""`python -m bot.cli` is the `cekklaim` command too (as `python -m bot`)."""

import sys

from bot.cli import main

sys.exit(main())
