"""The Scenario 2 relay agent: runs inside the customer network, connects out to Kafka and
to the customer's Vault only, and obeys a local policy file."""
