"""Merchant credentials: generated once, stored only as hashes, verified with a short cache."""
