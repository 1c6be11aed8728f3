"""Keel auth service."""
