"""Customer search costs a fixed handful of DynamoDB calls whatever the size of the shop: measured
with 1,000 customers against the member-list walk it replaces (vafa.search says why)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import botocore.client

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
FIRST = ["سارا", "علی", "محمد", "زهرا", "Reza", "نگار", "بهرام", "فاطمه"]
LAST = ["رضایی", "کریمی", "احمدی", "Tehrani", "موسوی"]


@contextmanager
def counted() -> Iterator[Counter[str]]:
    """Every DynamoDB operation botocore sends while inside, by name."""
    calls: Counter[str] = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        calls[operation] += 1
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]


def _seed(merchant: str, n: int) -> None:
    from vafa.customers import new_customer
    from vafa.search import name_items
    from vafa.store import keys as k
    from vafa.store.models import Item

    with Item.batch_write() as batch:
        for i in range(n):
            customer_id = f"c{i:04d}"
            profile = new_customer(merchant, customer_id, "fa", NOW)
            profile.name = f"{FIRST[i % len(FIRST)]} {LAST[i % len(LAST)]} {i}"
            if i % 10 == 0:
                profile.phone = f"+98912{i:07d}"
                profile.GSI1PK, profile.GSI1SK = k.phone_key(merchant, profile.phone), customer_id
            batch.save(profile)
            for item in name_items(merchant, customer_id, None, profile.name):
                batch.save(item)


def test_a_search_is_a_few_calls_for_a_thousand_customers(merchant: str) -> None:
    from vafa.api.routes.customers import search_customers
    from vafa.store import keys as k
    from vafa.store.models import CustomerItem
    from vafa.wallet.store import batch_get

    _seed(merchant, 1_000)

    with counted() as by_name:
        found = search_customers(merchant, "سارا", 20, None, NOW)
    assert len(found["items"]) == 20 and found["next_cursor"]
    assert all(str(c["name"]).startswith("سارا") for c in found["items"])
    assert sum(by_name.values()) == 2, by_name  # one Query of the name keys, one BatchGetItem

    with counted() as later_word:
        found = search_customers(merchant, "کريمي", 100, None, NOW)  # Arabic letters, a later word
    # 100 names and the id as typed are 101 keys: two BatchGetItem pages of 100.
    assert len(found["items"]) == 100 and sum(later_word.values()) == 3, later_word

    with counted() as by_phone:
        found = search_customers(merchant, "۰۹۱۲۰۰۰۰۰۱۰", 20, None, NOW)
    assert [c["customer_id"] for c in found["items"]] == ["c0010"]
    # The phone Query and its customer's read, the name Query (nothing), one BatchGetItem.
    assert sum(by_phone.values()) == 4, by_phone

    with counted() as walk:  # what the member-list walk would read to match names itself
        listed = [
            (str(item.PK), str(item.SK))
            for pk in k.member_pks(merchant)
            for item in CustomerItem.member_index.query(pk)
        ]
        profiles = batch_get(listed)
    matched = [p for p in profiles.values() if isinstance(p, CustomerItem) and str(p.name).startswith("سارا")]
    assert len(listed) == 1_000 and len(matched) == 125
    assert sum(walk.values()) >= 18, walk  # 8 shard Queries and 10 BatchGetItems, growing with the shop
    print(f"search calls: name {sum(by_name.values())}, phone {sum(by_phone.values())}, walk {dict(walk)}")


def test_migrate_gives_names_set_before_search_their_keys(merchant: str) -> None:
    from vafa.api.routes.customers import search_customers
    from vafa.customers import new_customer
    from vafa_dev.migrate import migrate

    profile = new_customer(merchant, "c-old", "fa", NOW)
    profile.name = "كاوه آهنگر"  # written before name keys existed: found by id only
    profile.save()
    assert [c["customer_id"] for c in search_customers(merchant, "کاوه", 20, None, NOW)["items"]] == []
    assert migrate(NOW, [merchant]).name_keys == 2
    for typed in ("کاوه", "اهنگ", "c-old"):
        assert [c["customer_id"] for c in search_customers(merchant, typed, 20, None, NOW)["items"]] == [
            "c-old"
        ]
    assert migrate(NOW, [merchant]).name_keys == 0  # a second run writes nothing


def test_names_from_a_history_import_are_searchable(merchant: str) -> None:
    from vafa.api.routes.customers import search_customers
    from vafa.program import Program
    from vafa_dev.history.reader import PastOrder
    from vafa_dev.history.writer import write_customer

    order = PastOrder(
        row=1, order_id="h-1", customer_id="c-imp", amount=90_000, occurred_at=NOW, name="پرستو نیک"
    )
    assert write_customer(merchant, Program(), "c-imp", [order], NOW).imported == 1
    assert [c["customer_id"] for c in search_customers(merchant, "نیک", 20, None, NOW)["items"]] == ["c-imp"]
