"""Authentication (bearer tokens), authorization (cached permissions), login routes."""
