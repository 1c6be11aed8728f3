"""The Kafka event fabric: broker factory, request/reply, event consumers, dead letters."""
