"""Keel's shared kit: contracts, the Kafka fabric, outbox/inbox, settings, logging, errors."""
