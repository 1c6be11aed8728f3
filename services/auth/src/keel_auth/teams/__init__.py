"""Teams: groups of users that role bindings can name, kept in sync from SSO groups."""
