"""Customer reads and profile writes (the wallet's money movements live in `vafa.wallet`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from vafa.customers import ProfileIn, apply_profile, customer_view, new_customer
from vafa.errors import Busy, NotFound
from vafa.program import Program
from vafa.search import name_items
from vafa.store import keys as k
from vafa.store.models import CustomerItem, Item
from vafa.store.table import connection, ensure_configured
from vafa.timeutil import iso
from vafa.wallet.operations import settle_expired
from vafa.wallet.store import load_profile

_MAX_PHONE_MATCHES = 20


def upsert_customer(
    merchant_id: str, customer_id: str, profile: ProfileIn, program: Program, now: datetime
) -> tuple[bool, dict[str, Any]]:
    """Create the customer or change the fields named; returns (created, customer)."""
    ensure_configured()
    for _ in range(20):
        current = load_profile(merchant_id, customer_id)
        created = current is None
        item = current or new_customer(merchant_id, customer_id, program.default_locale, now)
        old_name = item.name
        apply_profile(item, profile, now)
        # A changed name changes the keys it is searched by, in the same write (vafa.search).
        names = name_items(merchant_id, customer_id, old_name, item.name)
        try:
            if names:
                with TransactWrite(connection=connection()) as tx:
                    tx.save(item)
                    for name_item in names:
                        tx.save(name_item)
            else:
                item.save()
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                continue  # someone else wrote this customer meanwhile: apply our fields to theirs
            raise
        except TransactWriteError as exc:
            if exc.cause_response_code in ("TransactionCanceledException", "TransactionConflictException"):
                continue
            raise
        return created, customer_view(item, now)
    raise Busy("too many concurrent changes to this customer; retry")


def read_customer(merchant_id: str, customer_id: str, now: datetime) -> dict[str, Any]:
    """The customer as of `now`, after settling any credit that expired since the last expiry run."""
    profile = load_profile(merchant_id, customer_id)
    if profile is None:
        raise NotFound(f"customer {customer_id} not found", code="customer_not_found")
    if profile.next_expiry and profile.next_expiry <= iso(now):
        seq_before = int(profile.seq)
        settle_expired(merchant_id, customer_id, now, loaded=profile)
        if int(profile.seq) == seq_before:  # another writer settled it first: read what they wrote
            profile = load_profile(merchant_id, customer_id)
            assert profile is not None
    return customer_view(profile, now)


def find_by_phone(merchant_id: str, e164: str, now: datetime) -> list[dict[str, Any]]:
    """Customers of this merchant with the phone, through the sparse phone index."""
    ensure_configured()
    ids = [
        item.GSI1SK
        for item in CustomerItem.phone_index.query(k.phone_key(merchant_id, e164), limit=_MAX_PHONE_MATCHES)
    ]
    found = []
    for customer_id in ids[:_MAX_PHONE_MATCHES]:
        try:
            found.append(read_customer(merchant_id, str(customer_id), now))
        except NotFound:
            continue
    return found


def exists(merchant_id: str, customer_id: str) -> bool:
    ensure_configured()
    try:
        Item.get(k.customer_pk(merchant_id, customer_id), k.PROFILE, attributes_to_get=["PK"])
    except Item.DoesNotExist:
        return False
    return True
