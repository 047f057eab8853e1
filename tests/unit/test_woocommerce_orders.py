"""WooCommerce deliveries read without I/O: money exactly, dates as UTC, guests by phone, decisions.

The order shape is WooCommerce's REST order (developer.woocommerce.com/docs/apis/rest-api/v3/orders:
`total` a decimal string, `date_*_gmt` without offset, `customer_id` 0 for guests, `refunds` entries
`{"id", "reason", "total": "-10.00"}`); the ping and the signature are `WC_Webhook::deliver_ping()`
and `WC_Webhook::generate_signature()` (includes/class-wc-webhook.php).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from vafa.integrations.woocommerce import orders


def _order(**changes: object) -> dict[str, object]:
    order: dict[str, object] = {
        "id": 727,
        "status": "processing",
        "currency": "IRT",
        "total": "125000.00",
        "date_created_gmt": "2026-11-22T06:30:00",
        "date_paid_gmt": "2026-11-22T06:31:10",
        "customer_id": 41,
        "billing": {
            "first_name": "سارا",
            "last_name": "رضایی",
            "phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷",
            "email": "s@example.com",
        },
        "refunds": [],
    }
    order.update(changes)
    return order


def test_amounts_convert_exactly_between_the_iranian_units_and_floor() -> None:
    assert orders.convert(Decimal("125000.00"), "IRT", "IRR", "total") == 1_250_000
    assert orders.convert(Decimal("12.5"), "IRHR", "IRR", "total") == 12_500
    assert orders.convert(Decimal("3"), "IRHT", "IRR", "total") == 30_000
    assert orders.convert(Decimal("125005"), "IRR", "IRT", "total") == 12_500  # floored
    assert orders.convert(Decimal("0.1"), "IRR", "IRR", "total") == 0
    # Decimal, not float: 0.1 + 0.2 style errors never reach a total.
    assert orders.convert(Decimal("1234567890123.3"), "IRT", "IRR", "total") == 12_345_678_901_233
    assert orders.convert(Decimal("12.34"), "USD", "USD", "total") == 1234
    assert orders.convert(Decimal("5"), "KWD", "KWD", "total") == 5000
    with pytest.raises(orders.NotConvertible):
        orders.convert(Decimal("1"), "USD", "IRR", "total")


@pytest.mark.parametrize("bad", ["1e5", "NaN", "12,5", "", " ", "۱۲۵", True, None, [1]])
def test_totals_that_are_not_decimal_strings_are_refused(bad: object) -> None:
    with pytest.raises(orders.OrderProblem):
        orders.parse_decimal(bad, "total")


def test_an_order_reads_in_the_programs_currency_with_utc_dates_and_a_normalised_phone() -> None:
    refunds = [{"id": 902, "reason": "", "total": "-200.00"}, {"id": 901, "reason": "", "total": "-1000.50"}]
    order = orders.read_order(_order(refunds=refunds), "IRR", "IRR")
    assert order.order_id == "727" and order.amount == 1_250_000 and order.paid
    assert order.occurred_at == datetime(2026, 11, 22, 6, 31, 10, tzinfo=UTC)
    assert order.billing == orders.Billing("سارا رضایی", "+989121234567", "s@example.com")
    assert order.refunds == (orders.Refund("901", 10_005), orders.Refund("902", 2_000))


def test_the_integrations_currency_is_assumed_when_the_order_names_none() -> None:
    order = orders.read_order(_order(currency=None, total="10"), "IRHT", "IRR")
    assert order.amount == 100_000


def test_created_date_stands_in_until_paid_and_a_bad_phone_is_left_off() -> None:
    order = orders.read_order(
        _order(status="pending", date_paid_gmt=None, customer_id=0, billing={"phone": "12"}), "IRR", "IRR"
    )
    assert order.occurred_at == datetime(2026, 11, 22, 6, 30, tzinfo=UTC) and not order.paid
    assert order.billing.phone is None and order.wc_customer_id == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": "x"}, "id"),
        ({"total": 1.5}, "total"),  # a float the JSON reader did not make: never trusted
        ({"date_paid_gmt": "yesterday"}, "date_paid_gmt"),
        ({"refunds": [{"id": 1, "total": "abc"}]}, "refunds[0].total"),
        ({"currency": "USD"}, "total"),
    ],
)
def test_unreadable_orders_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(orders.OrderProblem) as caught:
        orders.read_order(_order(**changes), "IRR", "IRR")
    assert caught.value.field == field


def test_json_numbers_are_read_as_decimals() -> None:
    data = orders.load_json(b'{"total": 125000.10}')
    assert data["total"] == Decimal("125000.10")
    with pytest.raises(orders.OrderProblem):
        orders.load_json(b'{"id": 1, "id": 2}')


@pytest.mark.parametrize(
    ("status", "paid", "refunds", "count", "whole"),
    [
        ("processing", True, (), True, False),
        ("completed", True, (), True, False),
        ("refunded", True, (), True, True),  # overtook 'processing': count, then reverse
        ("cancelled", False, (), False, True),  # reverses only what had counted
        ("failed", True, (), True, True),
        ("refunded", False, (orders.Refund("5", 10),), True, True),
    ],
)
def test_decisions(
    status: str, paid: bool, refunds: tuple[orders.Refund, ...], count: bool, whole: bool
) -> None:
    order = orders.Order("1", status, paid, 100, None, 41, orders.Billing(None, None, None), refunds)
    plan = orders.decide(order)
    assert (plan.count, plan.reverse_whole, plan.refunds, plan.reason) == (count, whole, refunds, None)


@pytest.mark.parametrize("status", ["pending", "on-hold", "checkout-draft", "shipped-by-plugin"])
def test_statuses_that_do_not_count_change_nothing(status: str) -> None:
    order = orders.Order(
        "1", status, True, 100, None, 41, orders.Billing(None, None, None), (orders.Refund("5", 1),)
    )
    assert orders.decide(order) == orders.Plan(False, (), False, "status_does_not_count")


def test_the_signature_is_base64_hmac_sha256_of_the_exact_bytes() -> None:
    raw = b'{"id":727,"billing":{"first_name":"\\u0633\\u0627\\u0631\\u0627"}}'
    expected = base64.b64encode(hmac.new(b"s3cret", raw, hashlib.sha256).digest()).decode()
    assert orders.signature_valid("s3cret", raw, expected)
    assert orders.signature_valid("s3cret", raw, f" {expected}\n")
    assert not orders.signature_valid("s3cret", raw + b" ", expected)
    assert not orders.signature_valid("other", raw, expected)
    assert not orders.signature_valid("s3cret", raw, None)
    assert not orders.signature_valid("s3cret", raw, "ناشناس")


def test_the_ping_is_the_form_webhook_id_alone() -> None:
    assert orders.is_ping(b"webhook_id=12")
    assert not orders.is_ping(b"webhook_id=12&x=1")
    assert not orders.is_ping(b'{"webhook_id": 12}')
