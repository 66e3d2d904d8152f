"""`python -m bot` is the `cekklaim` command."""

import sys

from bot.cli import main

sys.exit(main())
