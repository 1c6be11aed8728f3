"""Vault/OpenBao access shared by the `vault` backend and the relay agent."""
