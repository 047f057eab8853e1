"""Segments: RFM scores, named segments and filters over a merchant's customers."""
