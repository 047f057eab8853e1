"""Message texts: default templates per kind, channel and language, rendered safely."""
