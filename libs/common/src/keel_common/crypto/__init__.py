"""Crypto helpers: values sealed to a recipient across Kafka, keys wrapped at rest."""
