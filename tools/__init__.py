"""Developer tools that need every service's code (so not part of any one package)."""
