"""Keel gateway: authenticates, authorizes and forwards every call over Kafka RPC."""
