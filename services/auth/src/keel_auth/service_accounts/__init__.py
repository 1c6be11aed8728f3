"""Service accounts and their API keys: how machines (CI, pipelines, MLflow) sign in."""
