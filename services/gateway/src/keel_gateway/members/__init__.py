"""Membership routes: workspace roles and deactivation, forwarded to the auth service."""
