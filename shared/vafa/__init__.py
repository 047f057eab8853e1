"""Vafa: a self-hosted customer-club and retention engine for online shops."""

__version__ = "0.1.0"
