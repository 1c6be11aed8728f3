"""Keel metadata service."""
