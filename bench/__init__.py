"""Benchmarks (DESIGN.md §12). Figures are printed, never asserted: see docs/performance.md.

`python -m bench` (what `make bench` runs) runs the ledger benchmark, bench/ledger.py; it takes the
same options (`python -m bench --help`).
"""
