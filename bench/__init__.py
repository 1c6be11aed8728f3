"""Keel benchmarks: `make bench` (or `python -m bench`) prints their results as tables."""
