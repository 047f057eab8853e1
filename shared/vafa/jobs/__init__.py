"""Scheduled functions: each takes "now" from its EventBridge event and finds due work by index."""
