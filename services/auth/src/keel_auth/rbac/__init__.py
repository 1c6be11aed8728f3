"""Roles, role bindings and the question "may this principal do that here?"."""
