"""The retention engine: due work, message decisions, the outbox and delivery."""
