"""Service account and API key routes, forwarded to the auth service."""
