"""Messaging: the kinds of due work, one decision per message, rendering, the outbox, delivery and
the channels (SMS gateways, email, web push)."""
