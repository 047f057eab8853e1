"""Vafa's development tooling: the local stack and its AWS stand-in, the benchmarks, the fault drill,
the demo shop, and the admin CLI (with history import). Installed by `make`; never in the Lambda layer."""
