"""`python -m bench [options]` (`make bench`): every benchmark and one table (bench/runner.py)."""

import sys

from bench.runner import main

if __name__ == "__main__":
    sys.exit(main())
