"""`python -m bot` is the `cekklaim` command."""

import sys

from bot.cli import main

if __name__ == "__main__":  # not when a worker process (bot/matcher/readers.py) imports it
    sys.exit(main())
