"""Benchmarks (DESIGN.md §12, issue 20). Figures are printed, never asserted: see
docs/performance.md.

`python -m bench` (what `make bench` runs) runs every benchmark, each in its own process and
database, and prints one table against issue 20's goals (bench/runner.py; `--help`). Each module
also runs on its own: `python -m bench.ledger`, `bench.surplus`, `bench.surveillance`,
`bench.reports`, `bench.verify`, `bench.documents` (their shared main() sequence: bench/common.py).
"""
