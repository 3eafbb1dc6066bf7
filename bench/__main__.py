"""`python -m bench [options]`: the ledger benchmark (bench/ledger.py)."""

import sys

from bench.ledger import main

if __name__ == "__main__":
    sys.exit(main())
