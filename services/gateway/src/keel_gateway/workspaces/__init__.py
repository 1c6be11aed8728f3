"""Workspace routes, forwarded to the auth service."""
