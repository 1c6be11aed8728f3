"""Database plumbing: engine, unit of work, fabric tables, migrations."""
