"""The wallet: expiring credit lots and an append-only ledger that never drifts."""
