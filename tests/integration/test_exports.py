"""Exports stay under Lambda's answer limit by stopping early and naming where to go on: following
the cursors yields every row once, whatever the cap."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

NOW = datetime.now(UTC).replace(microsecond=0)


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def _all(read: object, cap: int, monkeypatch: pytest.MonkeyPatch) -> tuple[list[list[str]], int]:
    from vafa.insight import exports

    monkeypatch.setattr(exports, "MAX_ROWS", cap)
    rows: list[list[str]] = []
    cursor, answers = None, 0
    while True:
        text, cursor = read(cursor)  # type: ignore[operator]
        page = _rows(text)
        assert len(page) - 1 <= cap + 20  # a header, and at most one record's entries past the cap
        rows += page[1:]
        answers += 1
        if cursor is None:
            return rows, answers


def test_customers_and_ledger_page_by_cursor(merchant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from vafa.insight import exports
    from vafa.program import Program
    from vafa.wallet import operations

    for i in range(23):
        request = operations.PurchaseRequest(
            order_id=f"o{i}",
            customer_id=f"c{i:02d}",
            amount=100_000 * (i + 1),
            occurred_at=None,
            customer=None,
            cart_id=None,
            body={"i": i},
        )
        operations.record_purchase(merchant, request, Program(), NOW - timedelta(days=i % 3))
    customers, answers = _all(lambda c: exports.customers(merchant, "en", None, None, c), 5, monkeypatch)
    assert sorted(row[0] for row in customers) == [f"c{i:02d}" for i in range(23)] and answers >= 5

    start, end = (NOW - timedelta(days=5)).date(), NOW.date()
    ledger, answers = _all(lambda c: exports.ledger(merchant, "fa", start, end, c), 4, monkeypatch)
    assert sorted(row[6] for row in ledger) == sorted(f"o{i}" for i in range(23)) and answers >= 6
    assert {row[3] for row in ledger} == {"earn"} and all(int(row[4]) > 0 for row in ledger)


def test_a_cell_is_never_a_formula() -> None:
    from vafa.insight.exports import safe_cell

    assert [safe_cell(v) for v in ("=1+2", "+98912", "-3", "@A1", "\tx", "سارا", -3000, None, True)] == [
        "'=1+2",
        "'+98912",
        "'-3",
        "'@A1",
        "'\tx",
        "سارا",
        -3000,
        "",
        "true",
    ]
