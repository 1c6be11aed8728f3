"""Signing in: password login, access tokens, rotating refresh tokens."""
