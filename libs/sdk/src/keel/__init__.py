"""Keel: the Python SDK and the `keel` command line."""
