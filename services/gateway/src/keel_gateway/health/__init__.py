"""Liveness, readiness and the fabric's end-to-end health."""
