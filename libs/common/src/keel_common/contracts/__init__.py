"""Versioned message contracts shared by every service."""
