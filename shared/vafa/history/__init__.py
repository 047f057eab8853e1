"""Importing a shop's past orders: read and check rows, then write them in per-customer transactions."""
