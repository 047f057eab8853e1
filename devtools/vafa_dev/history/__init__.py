"""Importing a shop's past orders (`vafa import`): `reader` checks rows, `writer` writes them in
batched, guarded transactions, `command` is the CLI's side (progress bar, JSON summary)."""
