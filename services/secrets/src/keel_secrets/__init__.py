"""Keel secrets service."""
