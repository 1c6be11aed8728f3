"""The embedded local stack: real Postgres, a Kafka-protocol broker and OpenBao, no Docker."""
