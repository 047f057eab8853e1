"""Campaigns: a message to a segment at a time, sent through the same decisions and queues as reminders."""
