"""Past orders from CSV or JSON lines, checked row by row; a bad row is reported, never half-imported."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from vafa.customers import check_client_id
from vafa.errors import ValidationFailed
from vafa.phones import InvalidPhone, normalize_phone
from vafa.program import MAX_MONEY
from vafa.timeutil import parse_instant

FIELDS = ("order_id", "customer_id", "amount", "occurred_at", "refunded_amount", "phone", "email", "name")


@dataclass(frozen=True)
class PastOrder:
    row: int
    order_id: str
    customer_id: str
    amount: int
    occurred_at: datetime
    refunded_amount: int = 0
    phone: str | None = None
    email: str | None = None
    name: str | None = None

    def body(self) -> dict[str, Any]:
        """The order as a purchase request body (its idempotency fingerprint)."""
        return {
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "amount": self.amount,
            "occurred_at": self.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "refunded_amount": self.refunded_amount,
        }


@dataclass(frozen=True)
class Rejected:
    row: int
    field: str | None
    reason: str


def _money(value: Any, field: str) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValidationFailed(f"{field} must be a whole number", field=field)
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("٬", "")
        if not value.isdigit():
            raise ValidationFailed(f"{field} must be a whole number", field=field)
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{field} must be a whole number", field=field) from None
    if not 0 <= amount <= MAX_MONEY:
        raise ValidationFailed(f"{field} is out of range", field=field)
    return amount


def _moment(value: Any, timezone: str, now: datetime) -> datetime:
    text = str(value or "").strip()
    try:
        if len(text) == 10:  # a plain date: midday in the shop's timezone
            moment = datetime.combine(date.fromisoformat(text), time(12), ZoneInfo(timezone))
        else:
            moment = parse_instant(text)
    except ValueError:
        raise ValidationFailed(
            "occurred_at must be a date or an ISO-8601 time with offset", field="occurred_at"
        ) from None
    if moment > now:
        raise ValidationFailed("occurred_at is in the future", field="occurred_at")
    return moment


def check(raw: dict[str, Any], row: int, timezone: str, now: datetime) -> PastOrder:
    """One row as a past order; raises ValidationFailed naming the field."""
    for field in ("order_id", "customer_id", "amount", "occurred_at"):
        if raw.get(field) in (None, ""):
            raise ValidationFailed(f"{field} is missing", field=field)
    amount = _money(raw["amount"], "amount")
    refunded = _money(raw.get("refunded_amount") or 0, "refunded_amount")
    if refunded > amount:
        raise ValidationFailed("refunded_amount exceeds amount", field="refunded_amount")
    phone = None
    if raw.get("phone"):
        try:
            phone = normalize_phone(str(raw["phone"]))
        except InvalidPhone:
            raise ValidationFailed("phone is not a phone number", field="phone") from None
    email = str(raw["email"]).strip() if raw.get("email") else None
    if email is not None and ("@" not in email or len(email) > 254):
        raise ValidationFailed("email is not an address", field="email")
    return PastOrder(
        row=row,
        order_id=check_client_id(str(raw["order_id"]), "order_id"),
        customer_id=check_client_id(str(raw["customer_id"]), "customer_id"),
        amount=amount,
        occurred_at=_moment(raw["occurred_at"], timezone, now),
        refunded_amount=refunded,
        phone=phone,
        email=email,
        name=str(raw["name"]).strip()[:200] if raw.get("name") else None,
    )


def _records(stream: TextIO, kind: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    if kind == "csv":
        for number, record in enumerate(csv.DictReader(stream), start=2):  # row 1 is the header
            yield number, {key.strip(): value for key, value in record.items() if key}
        return
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            loaded = json.loads(line)
        except json.JSONDecodeError:
            yield number, None
            continue
        yield number, loaded if isinstance(loaded, dict) else None


def read(path: Path, kind: str | None, timezone: str, now: datetime) -> Iterator[PastOrder | Rejected]:
    """Every row of the file, checked: a PastOrder or a Rejected with the row number and the reason."""
    kind = kind or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for number, raw in _records(stream, kind):
            if raw is None:
                yield Rejected(number, None, "not a JSON object")
                continue
            try:
                yield check(raw, number, timezone, now)
            except ValidationFailed as exc:
                yield Rejected(number, exc.field, exc.message)
