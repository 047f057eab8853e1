"""WooCommerce deliveries read and decided, without I/O.

Shapes as WooCommerce sends them: `WC_Webhook::deliver()` posts `wp_json_encode()` of the REST order
(`/wc/v3/orders/{id}`) and signs that exact text with `base64(hmac_sha256(body, secret))`;
`deliver_ping()` posts the form `webhook_id=N` unsigned when a webhook is saved; a `deleted` event
carries only `{"id": N}`. The REST order has `total` as a decimal string, `date_*_gmt` in UTC without
an offset, `customer_id` 0 for a guest and `refunds: [{"id", "reason", "total": "-10.00"}]`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from vafa.phones import InvalidPhone, normalize_phone

# What one unit of each Iranian code is worth in rials. Iranian WooCommerce shops use `IRT` (Toman),
# `IRHR` (thousand rials) and `IRHT` (thousand Toman) beside ISO's `IRR`.
RIALS_PER_UNIT: dict[str, int] = {"IRR": 1, "IRT": 10, "IRHR": 1_000, "IRHT": 10_000}
# ISO 4217 minor units that are not 2, for programs kept in another currency (cents for USD).
_MINOR_UNITS = {
    **{code: 0 for code in ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF")},
    **{code: 0 for code in ("UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF")},
    **{code: 3 for code in ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")},
}
MAX_AMOUNT = 10**15  # the API's own ceiling for money

COUNTING = frozenset({"processing", "completed"})
REVERSING = frozenset({"refunded", "cancelled", "failed"})
ORDER_TOPICS = frozenset({"order.created", "order.updated", "order.restored"})

_DECIMAL = re.compile(r"-?[0-9]{1,20}(?:\.[0-9]{1,12})?", re.ASCII)
_PING = re.compile(rb"webhook_id=[0-9]{1,20}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class OrderProblem(ValueError):
    """The delivery is WooCommerce's but cannot be read as an order; `field` names what is wrong."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class NotConvertible(OrderProblem):
    """The order's currency has no fixed rate to the program's (USD into rials)."""


# --- the signature and the ping ---------------------------------------------------------------


def signature_of(secret: str, raw: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def signature_valid(secret: str, raw: bytes, header: str | None) -> bool:
    """Constant time over the exact bytes received: a re-encoded body would not match."""
    if not header:
        return False
    return hmac.compare_digest(signature_of(secret, raw).encode(), header.strip().encode())


def is_ping(raw: bytes) -> bool:
    """`webhook_id=N`, form-encoded and unsigned, sent once when a webhook is saved."""
    return _PING.fullmatch(raw.strip()) is not None


# --- money ------------------------------------------------------------------------------------


def parse_decimal(value: Any, field: str) -> Decimal:
    """WooCommerce's money: a decimal string ("125000.00"), read exactly; never through float."""
    if isinstance(value, bool):
        raise OrderProblem(f"{field} must be a decimal amount", field)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():  # a JSON number, parsed as Decimal
        return value
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return Decimal(value.strip())
    raise OrderProblem(f'{field} must be a decimal amount such as "125000.00"', field)


def minor_units(currency: str) -> int:
    return 0 if currency in RIALS_PER_UNIT else _MINOR_UNITS.get(currency, 2)


def convert(amount: Decimal, currency: str, program_currency: str, field: str) -> int:
    """`amount` of `currency` in the program currency's smallest unit, floored (an order of 125,005
    IRR is 12,500 Toman to an IRT program: the half Toman is dropped, as every rounding here floors)."""
    if currency in RIALS_PER_UNIT and program_currency in RIALS_PER_UNIT:
        exact = amount * RIALS_PER_UNIT[currency] / RIALS_PER_UNIT[program_currency]
    elif currency == program_currency:
        exact = amount.scaleb(minor_units(currency))
    else:
        raise NotConvertible(
            f"an order in {currency} cannot be converted to the program's {program_currency}", field
        )
    try:
        units = int(exact.to_integral_value(rounding=ROUND_FLOOR))
    except InvalidOperation:
        raise OrderProblem(f"{field} is out of range", field) from None
    if not 0 <= units <= MAX_AMOUNT:
        raise OrderProblem(f"{field} is out of range", field)
    return units


# --- the order --------------------------------------------------------------------------------


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        raise ValueError("an object names the same key twice")
    return data


def load_json(raw: bytes) -> Any:
    """The body as JSON, numbers with decimals kept as Decimal (a float would round a total)."""
    try:
        return json.loads(raw.decode("utf-8"), parse_float=Decimal, object_pairs_hook=_no_repeats)
    except (UnicodeDecodeError, ValueError) as exc:
        raise OrderProblem(f"the body is not a JSON order: {exc}", "body") from None


def gmt_instant(value: Any, field: str) -> datetime | None:
    """`2026-11-22T10:00:00` (WooCommerce's `_gmt` dates carry no offset: they are UTC)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise OrderProblem(f"{field} must be a date such as 2026-11-22T10:00:00", field)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise OrderProblem(f"{field} must be a date such as 2026-11-22T10:00:00", field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.year < 2000:
        raise OrderProblem(f"{field} must not be before 2000-01-01", field)
    return moment.astimezone(UTC).replace(microsecond=0)


def _whole_id(value: Any, field: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        raise OrderProblem(f"{field} must be a whole number", field)
    return value


def _text(value: Any) -> str | None:
    """A billing field as text, or None when empty or not one line (it is left off the profile)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text and not _CONTROL.search(text) else None


@dataclass(frozen=True)
class Billing:
    name: str | None
    phone: str | None  # E.164, or None when missing or not a phone number
    email: str | None


@dataclass(frozen=True)
class Refund:
    refund_id: str
    amount: int  # in the program's currency, floored


@dataclass(frozen=True)
class Order:
    """What Vafa needs of a WooCommerce order, already in the program's currency."""

    order_id: str
    status: str
    paid: bool  # date_paid_gmt is set: WooCommerce sets it when the order first reaches paid status
    amount: int
    occurred_at: datetime | None
    wc_customer_id: int  # 0: a guest
    billing: Billing
    refunds: tuple[Refund, ...]


def read_order(data: Any, default_currency: str, program_currency: str) -> Order:
    """The order in a delivery's JSON. Its own `currency` wins; the integration's is assumed when
    an order names none."""
    if not isinstance(data, dict):
        raise OrderProblem("the body must be a JSON object (WooCommerce's order)", "body")
    order_id = str(_whole_id(data.get("id"), "id"))
    status = data.get("status")
    if not isinstance(status, str) or not status:
        raise OrderProblem("status must be a WooCommerce order status", "status")
    currency = data.get("currency") or default_currency
    if not isinstance(currency, str):
        raise OrderProblem("currency must be a currency code", "currency")
    currency = currency.strip().upper()
    amount = convert(parse_decimal(data.get("total"), "total"), currency, program_currency, "total")
    created = gmt_instant(data.get("date_created_gmt"), "date_created_gmt")
    paid_at = gmt_instant(data.get("date_paid_gmt"), "date_paid_gmt")
    billing = data.get("billing") if isinstance(data.get("billing"), dict) else {}
    assert isinstance(billing, dict)
    refunds = []
    raw_refunds = data.get("refunds") or []
    if not isinstance(raw_refunds, list):
        raise OrderProblem("refunds must be a list", "refunds")
    for index, entry in enumerate(raw_refunds):
        where = f"refunds[{index}]"
        if not isinstance(entry, dict):
            raise OrderProblem(f"{where} must be an object", where)
        refund_id = str(_whole_id(entry.get("id"), f"{where}.id"))
        # WooCommerce lists a refund's total as negative ("-30.00"): what left the shop.
        value = abs(parse_decimal(entry.get("total"), f"{where}.total"))
        refunds.append(Refund(refund_id, convert(value, currency, program_currency, f"{where}.total")))
    # Oldest refund first (ids grow), so every delivery applies the same refunds in the same order.
    refunds.sort(key=lambda r: int(r.refund_id))
    return Order(
        order_id=order_id,
        status=status.strip().lower().removeprefix("wc-"),
        paid=paid_at is not None,
        amount=amount,
        occurred_at=paid_at or created,
        wc_customer_id=_whole_id(data.get("customer_id", 0), "customer_id", allow_zero=True),
        billing=read_billing(billing),
        refunds=tuple(refunds),
    )


def read_billing(billing: dict[str, Any]) -> Billing:
    """Billing as the shop's checkout took it; a field that is not usable is left off, never refused
    (a typo in an email must not cost the customer their cashback)."""
    name = " ".join(
        part for part in (_text(billing.get("first_name")), _text(billing.get("last_name"))) if part
    )
    phone = None
    raw_phone = _text(billing.get("phone"))
    if raw_phone:
        try:
            phone = normalize_phone(raw_phone)
        except InvalidPhone:
            phone = None
    return Billing(name=name[:200] or None, phone=phone, email=_text(billing.get("email")))


# --- the decision -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a delivery asks of the wallet. Every step is idempotent, and each is a fact that only
    ever becomes true, so any order of arrival ends in the same wallet:

    - `count`: the order was paid (status processing/completed, or a later status with
      `date_paid_gmt` set: a 'refunded' delivery that overtakes the 'processing' one still counts
      the purchase first, then reverses it);
    - `refunds`: each WooCommerce refund, once, by its id;
    - `reverse_whole`: what is left of a counted order goes back (refunded, cancelled, failed).
    """

    count: bool
    refunds: tuple[Refund, ...]
    reverse_whole: bool
    reason: str | None = None


def decide(order: Order) -> Plan:
    if order.status in COUNTING:
        return Plan(count=True, refunds=order.refunds, reverse_whole=False)
    if order.status in REVERSING:
        # Paid before, or refunded (a refund means money came in): it counted, whether or not the
        # delivery that said so has arrived yet.
        paid = order.paid or bool(order.refunds)
        return Plan(count=paid, refunds=order.refunds, reverse_whole=True)
    # pending, on-hold, checkout-draft and statuses of other plugins: nothing changes.
    return Plan(count=False, refunds=(), reverse_whole=False, reason="status_does_not_count")


def guest_customer_id(phone: str) -> str:
    return f"guest:{phone}"
