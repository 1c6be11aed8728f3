"""Team routes, forwarded to the auth service."""
