"""`vafa migrate`: bring a table written by an earlier version to the current data layout.

Earlier versions kept a customer's open credit as one item per lot and each ledger entry as an item
of its own, listed a customer's orders under GSI1 (`M#m#CORD#customer`), put profiles on the
ActivityIndex by the day they changed and their birthdays on the DueIndex, and stored the wallet's
figures under their long names. Now the profile carries its lots and its soonest expiry (DueIndex),
its birthday on the ActivityIndex and its hot figures under short names; a ledger entry rides on
the record of the operation that made it, listed by GSI1 under `M#m#L#customer`; and the
merchant's timeline (ActivityIndex by day) lists wallet records, which the metrics job folds and
the follow-ups of a purchase read. The table's indexes are unchanged: only items move.

Per customer, in this order, each step safe to repeat:
1. the ledger entries become records in place (same key, the entry on the record, in the ledger
   and on today's timeline), so the ledger reads the same before and after;
2. one transaction writes the profile in its new form (guarded by the version read) and deletes
   its lot items; a profile already in the new form is left alone;
3. the customer's orders go on today's timeline with the day they happened (the metrics job
   rebuilds its figures from them; feedback asks of orders still inside their window go out, older
   ones count as history) and leave the old per-customer order list;
4. the old feedback markers go (the timeline replaces them); win-back markers stay (still read);
5. a named customer gets the keys the panel's name search reads (vafa.search), when they differ.
Last, the merchant's metrics state is dropped so the next metrics run rebuilds it from the timeline.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vafa.store import keys as k
from vafa.store.table import connection, ensure_configured
from vafa.timeutil import iso, parse_instant

RENAMED = {
    "balance": "bal",
    "purchases_count": "n",
    "total_spent": "spent",
    "last_purchase_at": "last",
    "next_expiry": "nx",
    "purchase_times": "pt",
    "closed_carts": "cc",
}


@dataclass
class Report:
    merchants: int = 0
    customers: int = 0
    profiles_migrated: int = 0
    lots_folded: int = 0
    ledger_entries: int = 0
    orders_on_timeline: int = 0
    markers_dropped: int = 0
    name_keys: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _client() -> Any:
    ensure_configured()
    return connection().client


def _table() -> str:
    from vafa.config import settings

    return settings().table_name


def _query(**kwargs: Any) -> Iterator[dict[str, Any]]:
    client = _client()
    while True:
        page = client.query(TableName=_table(), **kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _s(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value.get("S") if value else None


def _n(item: dict[str, Any], name: str) -> int:
    value = item.get(name)
    return int(value["N"]) if value and "N" in value else 0


def _epoch(text: str) -> int:
    return int(parse_instant(text).timestamp())


def _customers(merchant_id: str) -> list[str]:
    ids: list[str] = []
    for pk in k.member_pks(merchant_id):
        for entry in _query(
            IndexName="MemberIndex",
            KeyConditionExpression="MemberPK = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
        ):
            ids.append(entry["PK"]["S"].split("#C#", 1)[1])
    return ids


def _ledger_record(
    merchant_id: str, customer_id: str, entry: dict[str, Any], now: datetime
) -> dict[str, Any]:
    seq = int(entry["SK"]["S"].removeprefix("LEDGER#"))
    row = [
        seq,
        _s(entry, "type"),
        _n(entry, "amount"),
        _n(entry, "balance_after"),
        _s(entry, "at"),
        _s(entry, "ref"),
    ]
    recorded = _s(entry, "recorded_at") or iso(now)
    return {
        "PK": entry["PK"],
        "SK": entry["SK"],
        "kind": {"S": "settlement"},
        "customer_id": {"S": customer_id},
        "note": {"S": "migrated ledger entry"},
        "entries": {"S": json.dumps([row], separators=(",", ":"), ensure_ascii=False)},
        "recorded_at": {"S": recorded},
        "GSI1PK": {"S": k.ledger_pk(merchant_id, customer_id)},
        "GSI1SK": {"S": k.ledger_sk(seq)},
        "ActPK": {"S": k.activity_pk(merchant_id, iso(now)[:10])},
        "ActSK": {"S": k.timeline_sk(iso(now), "settlement", customer_id, recorded)},
    }


def _new_profile(merchant_id: str, profile: dict[str, Any], lots: list[dict[str, Any]]) -> dict[str, Any]:
    item = {name: value for name, value in profile.items() if name not in RENAMED}
    for old, new in RENAMED.items():
        if old in profile:
            item[new] = profile[old]
    if "pt" in item:  # ISO texts become epoch seconds
        times = json.loads(item["pt"]["S"])
        item["pt"] = {"S": json.dumps([t if isinstance(t, int) else _epoch(t) for t in times])}
    item.pop("ActPK", None)
    item.pop("ActSK", None)
    due_pk, due_sk = _s(profile, "DuePK"), _s(profile, "DueSK")
    item.pop("DuePK", None)
    item.pop("DueSK", None)
    if due_pk == k.due_pk(merchant_id, "birthday") and due_sk:
        item["ActPK"], item["ActSK"] = {"S": due_pk}, {"S": due_sk}
    rows = sorted(
        (
            [
                _s(lot, "lot_id"),
                _s(lot, "source"),
                _n(lot, "amount"),
                _n(lot, "remaining"),
                _epoch(_s(lot, "earned_at") or ""),
                _epoch(_s(lot, "expires_at") or ""),
            ]
            for lot in lots
            if _n(lot, "remaining") > 0
        ),
        key=lambda row: (row[5], row[4], str(row[0])),
    )
    item.pop("lots", None)
    item.pop("nx", None)
    if rows:
        item["lots"] = {"S": json.dumps(rows, separators=(",", ":"), ensure_ascii=False)}
        soonest = min(_s(lot, "expires_at") or "" for lot in lots if _n(lot, "remaining") > 0)
        item["nx"] = {"S": soonest}
        item["DuePK"] = {"S": k.due_pk(merchant_id, "expiry")}
        item["DueSK"] = {"S": f"{soonest}#{_s(profile, 'customer_id')}"}
    item["version"] = {"N": str(_n(profile, "version") + 1)}
    return item


def migrate_customer(merchant_id: str, customer_id: str, now: datetime, report: Report) -> None:
    client, table = _client(), _table()
    cpk = k.customer_pk(merchant_id, customer_id)
    items = list(_query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": cpk}}))
    kind = {id(item): _s(item, "kind") for item in items}
    profile = next((i for i in items if i["SK"]["S"] == k.PROFILE), None)
    lots = [i for i in items if kind[id(i)] == "lot"]
    ledger = [i for i in items if kind[id(i)] == "ledger"]
    markers = [i for i in items if kind[id(i)] == "due" and i["SK"]["S"].startswith("DUE#feedback")]
    for start in range(0, len(ledger), 25):  # 1. idempotent overwrites, any number of times
        chunk = ledger[start : start + 25]
        requests = [{"PutRequest": {"Item": _ledger_record(merchant_id, customer_id, e, now)}} for e in chunk]
        while requests:
            answer = client.batch_write_item(RequestItems={table: requests})
            requests = answer.get("UnprocessedItems", {}).get(table, [])
        report.ledger_entries += len(chunk)
    if profile is not None and "balance" in profile:  # 2. the old form: rewrite it with its lots
        new = _new_profile(merchant_id, profile, lots)
        guard: dict[str, Any] = {
            "ConditionExpression": "#v = :v",
            "ExpressionAttributeNames": {"#v": "version"},
            "ExpressionAttributeValues": {":v": {"N": str(_n(profile, "version"))}},
        }
        if "version" not in profile:
            guard = {
                "ConditionExpression": "attribute_not_exists(#v)",
                "ExpressionAttributeNames": {"#v": "version"},
            }
        writes: list[dict[str, Any]] = [{"Put": {"TableName": table, "Item": new, **guard}}]
        writes += [
            {"Delete": {"TableName": table, "Key": {"PK": lot["PK"], "SK": lot["SK"]}}} for lot in lots
        ]
        try:
            client.transact_write_items(TransactItems=writes)
        except client.exceptions.TransactionCanceledException:
            report.skipped.append(customer_id)  # written meanwhile: run the migration again
            return
        report.profiles_migrated += 1
        report.lots_folded += len(lots)
    for order in _query(  # 3. orders onto the timeline, out of the old per-customer list
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"M#{merchant_id}#CORD#{customer_id}"}},
    ):
        occurred = order["GSI1SK"]["S"].split("#", 1)[0]
        client.update_item(
            TableName=table,
            Key={"PK": order["PK"], "SK": order["SK"]},
            UpdateExpression="SET ActPK = :a, ActSK = :s, recorded_at = :r REMOVE GSI1PK, GSI1SK",
            ExpressionAttributeValues={
                ":a": {"S": k.activity_pk(merchant_id, iso(now)[:10])},
                ":s": {"S": k.timeline_sk(iso(now), "order", customer_id, occurred)},
                ":r": {"S": iso(now)},
            },
        )
        report.orders_on_timeline += 1
    for marker in markers:  # 4. the timeline asks for feedback now
        client.delete_item(TableName=table, Key={"PK": marker["PK"], "SK": marker["SK"]})
        report.markers_dropped += 1
    if profile is not None:  # 5. name search keys, as a name change writes them
        from vafa.search import name_items

        held = {i["SK"]["S"]: _s(i, "GSI1SK") for i in items if kind[id(i)] == "name_key"}
        wanted = name_items(merchant_id, customer_id, None, _s(profile, "name"))
        if {i.SK: i.GSI1SK for i in wanted} != {sk: v for sk, v in held.items() if v}:
            from vafa.store.models import NameKeyItem

            # Slots the name no longer needs are written without index keys: they leave the index.
            stale = [
                NameKeyItem(cpk, sk, customer_id=customer_id)
                for sk in sorted(set(held) - {i.SK for i in wanted})
            ]
            for name_item in [*wanted, *stale]:
                name_item.save()
            report.name_keys += len(wanted)
    client.delete_item(TableName=table, Key={"PK": {"S": cpk}, "SK": {"S": "METRICS"}})


def migrate(now: datetime, merchants: list[str] | None = None) -> Report:
    """Migrate every merchant (or the ones named); safe to run again, also after an interruption."""
    from vafa.merchants import list_merchants

    report = Report()
    for merchant_id in merchants or list_merchants():
        report.merchants += 1
        for customer_id in _customers(merchant_id):
            report.customers += 1
            migrate_customer(merchant_id, customer_id, now, report)
        _client().delete_item(
            TableName=_table(), Key={"PK": {"S": k.merchant_pk(merchant_id)}, "SK": {"S": "METRICS"}}
        )
    return report
