"""Insight: what the merchant learns and acts on — metrics, segments and campaigns."""
