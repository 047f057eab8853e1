"""Capacity units computed from the captured requests, by DynamoDB's published sizing rules.

moto does not report ConsumedCapacity faithfully, so the units are derived from the wire-format
items instead: item size = attribute names + values (strings: UTF-8 bytes; numbers: 1 byte per two
significant digits + 1; booleans/null: 1 byte; lists/maps: 3 bytes + 1 byte per element + contents).

Writes: ceil(size / 1 KB) per item, the size being the larger of the item before and after (a
delete costs the size of the deleted item); transactional writes cost twice. Global secondary
indexes: one index write when an item enters or leaves an index, two when its index key changes,
one when only a projected attribute changes; a Put of an item that carries the index keys is
counted as one index write even when its entry is unchanged (conservative). Index writes are
charged at the standard rate (not doubled). Reads: consistent GetItem/BatchGetItem cost
ceil(size / 4 KB) per item (1 unit for a key that is not found); a Query costs ceil(sum of the
returned items' sizes / 4 KB), at least 1; eventually consistent reads and index reads cost half.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from vafa_dev.bench.calls import Call

WRITE_UNIT = 1024
READ_UNIT = 4096
Key = tuple[str, ...]
Snapshot = Mapping[Key, dict[str, Any]]


@dataclass(frozen=True)
class TableShape:
    """Key attributes of the table and, per global secondary index, its keys and projection."""

    keys: tuple[str, ...]
    indexes: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None]]  # name -> (keys, non-key attrs)

    @classmethod
    def from_properties(cls, props: Mapping[str, Any]) -> TableShape:
        """From the AWS::DynamoDB::Table properties of the template."""
        keys = tuple(part["AttributeName"] for part in props["KeySchema"])
        indexes: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None]] = {}
        for index in props.get("GlobalSecondaryIndexes") or []:
            index_keys = tuple(part["AttributeName"] for part in index["KeySchema"])
            projection = index.get("Projection") or {}
            kind = projection.get("ProjectionType", "ALL")
            extra: tuple[str, ...] | None = None  # None: every attribute (ALL)
            if kind == "KEYS_ONLY":
                extra = ()
            elif kind == "INCLUDE":
                extra = tuple(projection.get("NonKeyAttributes") or ())
            indexes[index["IndexName"]] = (index_keys, extra)
        return cls(keys, indexes)

    def key_of(self, item: Mapping[str, Any]) -> Key:
        return tuple(str(next(iter(item[name].values()))) for name in self.keys)

    def index_entry(self, item: Mapping[str, Any] | None, index: str) -> dict[str, Any] | None:
        """The item's entry in the index, or None when it lacks the index keys (sparse index)."""
        if item is None:
            return None
        index_keys, extra = self.indexes[index]
        if any(name not in item for name in index_keys):
            return None
        if extra is None:
            return dict(item)
        names = {*index_keys, *self.keys, *extra}
        return {name: value for name, value in item.items() if name in names}


@dataclass
class Capacity:
    """Units one operation consumed: table writes, index writes and reads."""

    wcu: float = 0.0
    index_wcu: float = 0.0
    rcu: float = 0.0

    def __iadd__(self, other: Capacity) -> Capacity:
        self.wcu += other.wcu
        self.index_wcu += other.index_wcu
        self.rcu += other.rcu
        return self

    @property
    def total_wcu(self) -> float:
        return self.wcu + self.index_wcu


def number_size(text: str) -> int:
    """Bytes of a number: one per two significant digits, plus one."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return len(text)
    digits = value.as_tuple().digits
    significant = "".join(str(d) for d in digits).strip("0") or "0"
    return math.ceil(len(significant) / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    """Size of one wire-format AttributeValue (without its name)."""
    ((kind, data),) = value.items()
    if kind == "S":
        return len(str(data).encode("utf-8"))
    if kind == "N":
        return number_size(str(data))
    if kind == "B":
        return len(data) if isinstance(data, bytes) else math.floor(len(str(data)) * 3 / 4)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(s).encode("utf-8")) for s in data)
    if kind == "NS":
        return sum(number_size(str(n)) for n in data)
    if kind == "BS":
        return sum(len(b) for b in data)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in data)
    if kind == "M":
        return 3 + sum(1 + len(name.encode("utf-8")) + value_size(element) for name, element in data.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Mapping[str, Any] | None) -> int:
    """Size of a wire-format item: attribute names plus values."""
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / WRITE_UNIT))


def read_units(size: int) -> int:
    return max(1, math.ceil(size / READ_UNIT))


def _index_writes(
    shape: TableShape, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, put: bool
) -> float:
    units = 0.0
    for index in shape.indexes:
        old, new = shape.index_entry(before, index), shape.index_entry(after, index)
        if old is None and new is None:
            continue
        if old is None or new is None:
            units += write_units(item_size(old or new))
            continue
        old_key = {name: old[name] for name in shape.indexes[index][0]}
        new_key = {name: new[name] for name in shape.indexes[index][0]}
        if old_key != new_key:
            units += write_units(item_size(old)) + write_units(item_size(new))
        elif old != new or put:
            units += write_units(max(item_size(old), item_size(new)))
    return units


def _write(
    shape: TableShape,
    action: str,
    request: Mapping[str, Any],
    before: Snapshot,
    after: Snapshot,
    factor: int,
    applied: bool,
) -> Capacity:
    item = request.get("Item") or request.get("Key") or {}
    key = shape.key_of(item)
    old = before.get(key)
    if action == "Put":
        new: Mapping[str, Any] | None = request["Item"]
    elif action == "Update":
        new = after.get(key, old) if applied else old
    else:  # Delete, ConditionCheck
        new = None
    size = max(item_size(old), item_size(new))
    result = Capacity(wcu=float(write_units(size) * factor))
    if applied and action != "ConditionCheck":
        result.index_wcu = _index_writes(shape, old, new, put=action == "Put")
    return result


def _found_by_key(shape: TableShape, items: Iterable[Mapping[str, Any]]) -> dict[Key, Mapping[str, Any]]:
    return {shape.key_of(item): item for item in items}


def call_capacity(shape: TableShape, call: Call, before: Snapshot, after: Snapshot) -> Capacity:
    """Units of one captured call; `before`/`after` are the table's items around the operation."""
    params, response = call.params, call.response or {}
    applied = call.error is None
    op = call.operation
    if op == "TransactWriteItems":
        total = Capacity()
        for entry in params.get("TransactItems", []):
            ((action, request),) = entry.items()
            total += _write(shape, action, request, before, after, 2, applied)
        return total
    if op in ("PutItem", "UpdateItem", "DeleteItem"):
        return _write(shape, op.removesuffix("Item"), params, before, after, 1, applied)
    if op == "BatchWriteItem":
        total = Capacity()
        for requests in params.get("RequestItems", {}).values():
            for request in requests:
                if "PutRequest" in request:
                    total += _write(shape, "Put", request["PutRequest"], before, after, 1, applied)
                else:
                    total += _write(shape, "Delete", request["DeleteRequest"], before, after, 1, applied)
        return total
    if op == "GetItem":
        factor = 1.0 if params.get("ConsistentRead") else 0.5
        return Capacity(rcu=read_units(item_size(response.get("Item"))) * factor)
    if op == "BatchGetItem":
        rcu = 0.0
        for table, request in params.get("RequestItems", {}).items():
            factor = 1.0 if request.get("ConsistentRead") else 0.5
            found = _found_by_key(shape, response.get("Responses", {}).get(table, []))
            for key in request.get("Keys", []):
                rcu += read_units(item_size(found.get(shape.key_of(key)))) * factor
        return Capacity(rcu=rcu)
    if op in ("Query", "Scan"):
        factor = 1.0 if params.get("ConsistentRead") and not params.get("IndexName") else 0.5
        size = sum(item_size(item) for item in response.get("Items", []))
        return Capacity(rcu=read_units(size) * factor)
    return Capacity()


def capacity(shape: TableShape, calls: Iterable[Call], before: Snapshot, after: Snapshot) -> Capacity:
    """Sum of the units of every call of one operation."""
    total = Capacity()
    for call in calls:
        total += call_capacity(shape, call, before, after)
    return total


def snapshot(
    client: Any, table: str, shape: TableShape, partitions: Iterable[str] | None = None
) -> dict[Key, dict[str, Any]]:
    """The table's items by key, or only those of `partitions` (uncounted: taken outside recordings)."""
    items: dict[Key, dict[str, Any]] = {}
    pages: list[dict[str, Any]] = []
    if partitions is None:
        pages.append({"TableName": table, "ConsistentRead": True})
    else:
        for pk in partitions:
            pages.append(
                {
                    "TableName": table,
                    "ConsistentRead": True,
                    "KeyConditionExpression": "#pk = :pk",
                    "ExpressionAttributeNames": {"#pk": shape.keys[0]},
                    "ExpressionAttributeValues": {":pk": {"S": pk}},
                }
            )
    for kwargs in pages:
        read = client.scan if partitions is None else client.query
        while True:
            page = read(**kwargs)
            for item in page.get("Items", []):
                items[shape.key_of(item)] = item
            if "LastEvaluatedKey" not in page:
                break
            kwargs = {**kwargs, "ExclusiveStartKey": page["LastEvaluatedKey"]}
    return items


def count_items(client: Any, table: str) -> int:
    """Number of items in the table (uncounted Scan with Select=COUNT)."""
    total, kwargs = 0, {"TableName": table, "Select": "COUNT"}
    while True:
        page = client.scan(**kwargs)
        total += int(page.get("Count", 0))
        if "LastEvaluatedKey" not in page:
            return total
        kwargs = {**kwargs, "ExclusiveStartKey": page["LastEvaluatedKey"]}
