"""CSV exports over HTTP against the local stack: a byte-order mark, headers in the merchant's
language, cells no spreadsheet runs as a formula, ISO times and integer amounts."""

from __future__ import annotations

import csv
import io

import requests
from vafa_dev.local.fake_sms import FakeSmsServer

from tests.clock import PURCHASE_DAY, REMINDER_DAY, at, day
from tests.e2e.conftest import Shop
from tests.e2e.test_reminders import run


def _csv(answer: requests.Response) -> list[list[str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: spreadsheets read the Persian right
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_customers_csv_in_persian_then_english_and_formula_safe(shop: Shop) -> None:
    shop.call(
        "PUT", "/v1/customers/c-x1", {"name": '=HYPERLINK("http://evil","سارا")', "phone": "09121234567"}
    )
    shop.call("POST", "/v1/purchases", {"order_id": "o-x1", "customer_id": "c-x1", "amount": 200_000})
    shop.call("PUT", "/v1/customers/c-x2", {"name": "@SUM(A1)", "email": "a@example.com"})

    rows = _csv(shop.call("GET", "/v1/exports/customers.csv"))
    assert rows[0][:3] == ["شناسه مشتری", "نام", "تلفن"]  # the program's default_locale is fa
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_id) == {"c-x1", "c-x2"}
    assert by_id["c-x1"]["نام"] == "'" + '=HYPERLINK("http://evil","سارا")'
    assert by_id["c-x1"]["تلفن"] == "'+989121234567"
    assert by_id["c-x1"]["موجودی کیف پول"] == "10000" and by_id["c-x1"]["مجموع خرید"] == "200000"
    assert by_id["c-x1"]["تاریخ عضویت"].endswith("Z") and by_id["c-x2"]["نام"] == "'@SUM(A1)"

    assert shop.call("PUT", "/v1/program", {"default_locale": "en"}).status_code == 200
    answer = shop.call("GET", "/v1/exports/customers.csv")
    assert "X-Next-Cursor" not in answer.headers
    assert 'filename="customers-' in answer.headers["Content-Disposition"]
    english = _csv(answer)
    assert english[0][:6] == ["customer_id", "name", "phone", "email", "locale", "balance"]
    # from/to on customers: who joined in the range.
    assert len(_csv(shop.call("GET", "/v1/exports/customers.csv", params={"to": day(-2000)}))) == 1


def test_ledger_csv_carries_adjustments_with_reason_and_author(shop: Shop) -> None:
    shop.call("POST", "/v1/purchases", {"order_id": "o-l", "customer_id": "c-l", "amount": 200_000})
    made = shop.call(
        "POST",
        "/v1/customers/c-l/adjustments",
        {"adjustment_id": "adj-l", "amount": -3_000, "reason": "-اصلاح"},
    )
    assert made.status_code == 201, made.text
    rows = _csv(shop.call("GET", "/v1/exports/ledger.csv"))
    assert rows[0] == [
        "زمان ثبت",
        "زمان رویداد",
        "شناسه مشتری",
        "نوع",
        "مبلغ",
        "موجودی پس از آن",
        "مرجع",
        "دلیل",
        "ثبت‌کننده",
    ]
    # Recorded in the same second, so listed by kind there: compare by the balance each left.
    body = sorted((row for row in rows[1:] if row[2] == "c-l"), key=lambda row: int(row[5]), reverse=True)
    assert [(row[3], row[4], row[5]) for row in body] == [
        ("earn", "10000", "10000"),
        ("adjust", "-3000", "7000"),
    ]
    assert body[1][7] == "'-اصلاح" and body[1][8] == made.json()["by"]
    assert body[1][0].endswith("Z")
    assert len(_csv(shop.call("GET", "/v1/exports/ledger.csv", params={"to": day(-2000)}))) == 1


def test_messages_csv_lists_what_was_decided(sms_shop: Shop, kavenegar: FakeSmsServer) -> None:
    body = {"phone": "09121260099", "name": "سارا", "consent": {"sms": True}}
    assert sms_shop.call("PUT", "/v1/customers/m-1", body).status_code == 201
    order = {"order_id": "o-m-1", "customer_id": "m-1", "amount": 2_000_000, "occurred_at": at(PURCHASE_DAY)}
    assert sms_shop.call("POST", "/v1/purchases", order).status_code == 201
    run(sms_shop, "reminders", at(REMINDER_DAY))
    rows = _csv(sms_shop.call("GET", "/v1/exports/messages.csv", params={"to": day(1)}))
    assert rows[0][:5] == ["زمان", "شناسه مشتری", "نوع پیام", "کانال", "وضعیت"]
    [row] = rows[1:]
    assert row[1:5] == ["m-1", "expiry_reminder", "sms", "sent"] and row[7] == "1200"


def test_export_refusals(shop: Shop) -> None:
    missing = shop.call("GET", "/v1/exports/orders.csv")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "export_not_found"
    for params, field in (
        ({"from": f"{day(0)[:4]}-02-30"}, "from"),  # no such day in any year
        ({"to": "soon"}, "to"),
        ({"from": day(1), "to": day(0)}, "from"),
        ({"cursor": "bm9wZQ"}, "cursor"),
    ):
        answer = shop.call("GET", "/v1/exports/ledger.csv", params=params)
        assert answer.status_code == 422 and answer.json()["error"]["field"] == field, (params, answer.text)
