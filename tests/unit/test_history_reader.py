"""Reading past orders: formats, row numbers, the checks a bad row fails, and what a good row becomes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from vafa_dev.history.reader import FileProblem, PastOrder, Rejected, count_rows, format_of, read

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def rows(path: Path, kind: str = "csv") -> list[PastOrder | Rejected]:
    return list(read(path, kind, "Asia/Tehran", NOW))  # type: ignore[arg-type]


def test_a_csv_row_becomes_an_order_with_the_shops_own_spelling_accepted(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "\ufeffOrder_ID, customer_id ,amount,occurred_at,phone,name,birthday,refunded_amount,channel\n"
        'o-1,c-1,"۱٬۲۵۰٬۰۰۰",2025-03-18,۰۹۱۲ ۱۲۳ ۴۵۶۷, سارا ,1370-12-29,250000,web\n'
        "o-2,c-2,900000,2025-03-18T14:05:00+03:30,,,1990-02-28,,\n"
        "o-3,c-3,100,2025-03-18 10:00,,,,,\n",
        encoding="utf-8",
    )
    first, second, third = rows(path)
    assert first == PastOrder(
        row=2,
        order_id="o-1",
        customer_id="c-1",
        amount=1_250_000,
        occurred_at=datetime(2025, 3, 18, 8, 30, tzinfo=UTC),  # midday in Tehran
        refunded_amount=250_000,
        phone="+989121234567",
        name="سارا",
        birthday={"calendar": "jalali", "date": "1370-12-29"},
    )
    assert first.kept == 1_000_000 and first.counts
    assert second.occurred_at == datetime(2025, 3, 18, 10, 35, tzinfo=UTC)  # type: ignore[union-attr]
    assert second.birthday == {"calendar": "gregorian", "date": "1990-02-28"}  # type: ignore[union-attr]
    # No offset: the shop's clock.
    assert third.occurred_at == datetime(2025, 3, 18, 6, 30, tzinfo=UTC)  # type: ignore[union-attr]


def test_bad_rows_are_named_by_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,customer_id,amount,occurred_at,phone,email,refunded_amount,birthday\n"
        "ok,c,100,2025-01-01,,,,\n"
        "a,c,12.5,2025-01-01,,,,\n"
        "b,c,-3,2025-01-01,,,,\n"
        "c,c,100,2027-01-01,,,,\n"
        "d,,100,2025-01-01,,,,\n"
        "e,c,100,2025-01-01,12345,,,\n"
        "f,c,100,2025-01-01,,not-an-address,,\n"
        "g,c,100,2025-01-01,,,101,\n"
        "h,c,100,yesterday,,,,\n"
        "i,c,100,2025-01-01,,,,1400-12-30\n"
        "\n"
        "j,c,true,2025-01-01,,,,\n",
        encoding="utf-8",
    )
    found = rows(path)
    assert isinstance(found[0], PastOrder)
    assert [(r.row, r.field) for r in found[1:] if isinstance(r, Rejected)] == [
        (3, "amount"),
        (4, "amount"),
        (5, "occurred_at"),
        (6, "customer_id"),
        (7, "phone"),
        (8, "email"),
        (9, "refunded_amount"),
        (10, "occurred_at"),
        (11, "birthday"),  # 1400 is a common Jalali year: no Esfand 30
        (13, "amount"),  # line 12 is blank and skipped
    ]
    assert all(r.reason for r in found if isinstance(r, Rejected))


def test_json_lines_take_numbers_and_the_apis_birthday_object(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    lines = [
        json.dumps(
            {"order_id": "j1", "customer_id": "c", "amount": 5000, "occurred_at": "2025-05-01T10:00:00Z"}
        ),
        json.dumps(
            {
                "order_id": "j2",
                "customer_id": "c",
                "amount": 7000.0,
                "occurred_at": "2025-05-02",
                "birthday": {"calendar": "gregorian", "date": "1988-07-01"},
            }
        ),
        "[1, 2]",
        "{broken",
        json.dumps({"order_id": "j3", "customer_id": "c", "amount": 10.5, "occurred_at": "2025-05-02"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = rows(path, "jsonl")
    assert [type(r).__name__ for r in found] == ["PastOrder", "PastOrder", "Rejected", "Rejected", "Rejected"]
    assert found[1].amount == 7000 and found[1].birthday == {"calendar": "gregorian", "date": "1988-07-01"}  # type: ignore[union-attr]
    assert [(r.row, r.field) for r in found if isinstance(r, Rejected)] == [
        (3, None),
        (4, None),
        (5, "amount"),
    ]


def test_the_format_comes_from_the_extension_and_a_missing_column_stops_everything(tmp_path: Path) -> None:
    assert format_of(Path("x.CSV"), None) == "csv"
    assert format_of(Path("x.ndjson"), None) == "jsonl"
    assert format_of(Path("x.txt"), "csv") == "csv"
    with pytest.raises(FileProblem):
        format_of(Path("x.txt"), None)
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,occurred_at\no1,c,2025-01-01\n", encoding="utf-8")
    with pytest.raises(FileProblem, match="amount"):
        rows(path)
    assert count_rows(path, "csv") == 1
