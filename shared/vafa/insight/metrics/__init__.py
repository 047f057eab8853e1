"""Retention metrics: per-customer contributions folded into per-merchant aggregates, incrementally."""
