"""The transactional outbox: events are rows in the business transaction, published after."""
