"""Optional speed-up of the stand-in for the long parts of the benchmark (throughput, growth).

moto's `transact_write_items` deep-copies the whole table once per item of the transaction, to roll
back on failure, so every transaction costs O(table size): about 1 s per purchase once the table
holds ~2,000 items. Inside `per_item_rollback()` that backup is replaced by a backup of only the
items the transaction names, restored the same way on failure: the all-or-nothing result is the
same (the stand-in serves one request at a time), the cost no longer depends on the table size.
The round-trip and capacity figures do not depend on it; they are measured on the stock stand-in.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def per_item_rollback() -> Iterator[None]:
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    backend = models.DynamoDBBackend
    original = backend.transact_write_items

    class _KeepTables:
        """Stands in for the `copy` module inside moto's backend: tables are not copied."""

        @staticmethod
        def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

        @staticmethod
        def copy(value: Any) -> Any:
            return copy.copy(value)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        backups: list[tuple[Any, Any, Any, Any]] = []
        for entry in transact_items:
            for action, op in entry.items():
                table = self.tables.get(op.get("TableName"))
                attrs = op.get("Item") if action == "Put" else op.get("Key")
                if table is None or not attrs or table.hash_key_attr not in attrs:
                    continue
                hash_value = DynamoType(attrs[table.hash_key_attr])
                range_value = None
                if table.range_key_attr is not None:
                    if table.range_key_attr not in attrs:
                        continue
                    range_value = DynamoType(attrs[table.range_key_attr])
                current = table.get_item(hash_value, range_value)
                backups.append((table, hash_value, range_value, copy.deepcopy(current)))
        models.copy = _KeepTables  # type: ignore[assignment]
        try:
            original(self, transact_items)
        except Exception:
            for table, hash_value, range_value, item in reversed(backups):
                if item is None:
                    table.delete_item(hash_value, range_value)
                elif range_value is None:
                    table.items[hash_value] = item
                else:
                    table.items[hash_value][range_value] = item
            raise
        finally:
            models.copy = copy

    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        backend.transact_write_items = original  # type: ignore[method-assign]
