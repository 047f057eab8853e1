"""Key layout of the single table. Every tenant key starts with the merchant id."""

from __future__ import annotations

MERCHANT_REGISTRY = "MERCHANTS"
PROFILE = "PROFILE"
PROGRAM = "PROGRAM"
MERCHANT = "MERCHANT"
ORDER = "ORDER"
REDEMPTION = "REDEMPTION"
LOT_PREFIX = "LOT#"
LEDGER_PREFIX = "LEDGER#"


def merchant_pk(merchant_id: str) -> str:
    return f"M#{merchant_id}"


def customer_pk(merchant_id: str, customer_id: str) -> str:
    return f"M#{merchant_id}#C#{customer_id}"


def order_pk(merchant_id: str, order_id: str) -> str:
    return f"M#{merchant_id}#O#{order_id}"


def redemption_pk(merchant_id: str, redemption_id: str) -> str:
    return f"M#{merchant_id}#R#{redemption_id}"


def phone_key(merchant_id: str, e164: str) -> str:
    return f"M#{merchant_id}#PHONE#{e164}"


def api_key_sk(key_hash: str) -> str:
    return f"KEY#{key_hash}"


def refund_sk(refund_id: str) -> str:
    return f"REFUND#{refund_id}"


def ledger_sk(seq: int) -> str:
    return f"{LEDGER_PREFIX}{seq:012d}"


def lot_sk(expires_at_iso: str, lot_id: str) -> str:
    return f"{LOT_PREFIX}{expires_at_iso}#{lot_id}"


def due_pk(merchant_id: str, kind: str) -> str:
    """Partition of the sparse due-work index: one per merchant and kind of scheduled work."""
    return f"M#{merchant_id}#DUE#{kind}"
