"""The audit log's entries, as every service writes them."""
