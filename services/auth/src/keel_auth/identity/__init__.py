"""Organizations, workspaces and users."""
