"""Key layout of the single table. Every tenant key starts with the merchant id."""

from __future__ import annotations

import hashlib

MERCHANT_REGISTRY = "MERCHANTS"
PROFILE = "PROFILE"
PROGRAM = "PROGRAM"
MERCHANT = "MERCHANT"
ORDER = "ORDER"
REDEMPTION = "REDEMPTION"
SETTLE_PREFIX = "SETTLE#"
LEDGER_PREFIX = "LEDGER#"  # a ledger page cursor: the sequence number of the last entry returned


def merchant_pk(merchant_id: str) -> str:
    return f"M#{merchant_id}"


def customer_pk(merchant_id: str, customer_id: str) -> str:
    return f"M#{merchant_id}#C#{customer_id}"


def visitor_pk(merchant_id: str, visitor_id: str) -> str:
    """An anonymous browser of the shop (the snippet's visitor id) until it is linked to a customer."""
    return f"M#{merchant_id}#V#{visitor_id}"


LINK = "LINK"


def link_pk(link_id: str) -> str:
    """A short link's meaning. Links are looked up by their id alone (the id names no merchant), so
    they live outside the merchants' partitions; the item itself names its merchant."""
    return f"LINK#{link_id}"


def order_pk(merchant_id: str, order_id: str) -> str:
    return f"M#{merchant_id}#O#{order_id}"


def redemption_pk(merchant_id: str, redemption_id: str) -> str:
    return f"M#{merchant_id}#R#{redemption_id}"


ADJUSTMENT = "ADJUSTMENT"


def adjustment_pk(merchant_id: str, adjustment_id: str) -> str:
    """A merchant's balance adjustment, keyed by its client id (idempotency across customers)."""
    return f"M#{merchant_id}#ADJ#{adjustment_id}"


SPENT_PREFIX = "SPENT#"


def spent_sk(redemption_id: str) -> str:
    """Credit redemption `redemption_id` spent on the order whose partition holds this key."""
    return f"{SPENT_PREFIX}{redemption_id}"


def phone_key(merchant_id: str, e164: str) -> str:
    return f"M#{merchant_id}#PHONE#{e164}"


NAME_PREFIX = "NAME#"


def name_key(merchant_id: str, first_letter: str) -> str:
    """GSI1 partition of the customers whose (normalised) name, or a later word of it, starts with
    `first_letter`: one partition per letter spreads a big shop's name writes."""
    return f"M#{merchant_id}#NAME#{first_letter}"


def api_key_sk(key_hash: str) -> str:
    return f"KEY#{key_hash}"


def refund_sk(refund_id: str) -> str:
    return f"REFUND#{refund_id}"


def ledger_pk(merchant_id: str, customer_id: str) -> str:
    """GSI1 partition of a customer's ledger: their wallet records by first sequence number."""
    return f"M#{merchant_id}#L#{customer_id}"


def ledger_sk(seq: int) -> str:
    return f"{seq:012d}"


def settlement_sk(seq: int) -> str:
    return f"{SETTLE_PREFIX}{seq:012d}"


def timeline_sk(recorded_at_iso: str, kind: str, customer_id: str, occurred_at_iso: str | None = None) -> str:
    """ActivityIndex sort key of a wallet record: by the time it was recorded, then its kind, the time
    it happened (an order may be back-dated: its follow-ups count from then) and the customer (the
    rest: customer ids may hold `#`). Split it with `timeline_parts`."""
    return f"{recorded_at_iso}#{kind}#{occurred_at_iso or recorded_at_iso}#{customer_id}"


def timeline_parts(sort_key: str) -> tuple[str, str, str, str]:
    """(recorded_at, kind, occurred_at, customer_id) of a timeline sort key."""
    recorded, kind, occurred, customer = sort_key.split("#", 3)
    return recorded, kind, occurred, customer


def due_pk(merchant_id: str, kind: str) -> str:
    """Partition of the sparse due-work index: one per merchant and kind of scheduled work."""
    return f"M#{merchant_id}#DUE#{kind}"


CONTACT = "CONTACT"
FEEDBACK = "FEEDBACK"
NOTE_PREFIX = "DLV#"  # the delivery log, in the customer's partition
DEDUPE_PREFIX = "DEDUPE#"
DUE_PREFIX = "DUE#"
CART_PREFIX = "CART#"
PUSH_PREFIX = "PUSH#"


def note_sk(decided_at_iso: str, notification_id: str) -> str:
    return f"{NOTE_PREFIX}{decided_at_iso}#{notification_id}"


def dedupe_sk(dedupe_key: str) -> str:
    return f"{DEDUPE_PREFIX}{dedupe_key}"


def due_sk(kind: str, ref: str = "") -> str:
    return f"{DUE_PREFIX}{kind}" + (f"#{ref}" if ref else "")


def cart_sk(cart_id: str) -> str:
    return f"{CART_PREFIX}{cart_id}"


def push_sk(endpoint_hash: str) -> str:
    return f"{PUSH_PREFIX}{endpoint_hash}"


def feedback_pk(merchant_id: str, order_id: str) -> str:
    return f"M#{merchant_id}#FB#{order_id}"


def gift_pk(merchant_id: str, customer_id: str, gift_id: str) -> str:
    """Guard of a one-off gift (e.g. one birthday gift a year): exists once granted."""
    return f"M#{merchant_id}#G#{customer_id}#{gift_id}"


def activity_pk(merchant_id: str, day: str) -> str:
    return f"M#{merchant_id}#ACT#{day}"


MEMBER_SHARDS = 8  # the member index spreads a merchant's customers over this many partitions
CAMPAIGN_PREFIX = "CAMPAIGN#"


def member_pk(merchant_id: str, customer_id: str) -> str:
    """MemberIndex partition of a customer: a stable shard, so big shops do not crowd one partition."""
    shard = int(hashlib.sha256(customer_id.encode()).hexdigest()[:8], 16) % MEMBER_SHARDS
    return f"M#{merchant_id}#MEMBERS#{shard}"


def member_pks(merchant_id: str) -> list[str]:
    return [f"M#{merchant_id}#MEMBERS#{shard}" for shard in range(MEMBER_SHARDS)]


def campaign_sk(campaign_id: str) -> str:
    return f"{CAMPAIGN_PREFIX}{campaign_id}"
