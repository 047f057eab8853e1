"""Past orders from CSV or JSON lines, checked row by row; a bad row is reported, never half-imported.

Columns (CSV header names, or JSON keys): `order_id`, `customer_id`, `occurred_at`, `amount`, and
optionally `refunded_amount`, `phone`, `email`, `name`, `birthday`. Unknown columns are ignored.

- `amount` and `refunded_amount` are whole numbers in the program currency's smallest unit, as the
  API takes them (rials for IRR). Persian or Arabic-Indic digits and thousands separators (`,` `٬`)
  are accepted in a file; fractions, negatives and anything else are not.
- `occurred_at` is an ISO date (`2025-03-18`: taken as midday in the shop's timezone) or an ISO
  date-time (`2025-03-18T14:05:00+03:30`; without an offset it is read in the shop's timezone).
  Times in the future are refused.
- `birthday` is `YYYY-MM-DD`, Jalali when the year is before 1700 (`1370-12-29`), Gregorian
  otherwise, or in JSON lines the API's object `{"calendar": "jalali", "date": "1370-12-29"}`.

Row numbers are line numbers in the file (a CSV header is line 1), so a spreadsheet or an editor
finds the row the report names.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from vafa.calendars import InvalidDate, parse_birthday
from vafa.customers import ProfileIn, check_client_id
from vafa.errors import ValidationFailed
from vafa.i18n.persian import to_ascii_digits
from vafa.program import MAX_MONEY
from vafa.records import ValidationError
from vafa.timeutil import iso

Format = Literal["csv", "jsonl"]
REQUIRED = ("order_id", "customer_id", "occurred_at", "amount")
OPTIONAL = ("refunded_amount", "phone", "email", "name", "birthday")
FUTURE_SLACK = timedelta(minutes=5)  # as the API allows for clock skew
EXTENSIONS: dict[str, Format] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


class FileProblem(Exception):
    """The file as a whole cannot be read (unknown format, a CSV header without a required column)."""


@dataclass(frozen=True)
class PastOrder:
    """One checked row. `consent` is never read from a file: only callers that know it set it."""

    row: int
    order_id: str
    customer_id: str
    amount: int
    occurred_at: datetime
    refunded_amount: int = 0
    phone: str | None = None
    email: str | None = None
    name: str | None = None
    birthday: dict[str, str] | None = None  # {"calendar": "jalali"|"gregorian", "date": "YYYY-MM-DD"}
    consent: dict[str, bool] | None = None

    @property
    def kept(self) -> int:
        """What the customer paid and kept: the amount less what was refunded."""
        return self.amount - self.refunded_amount

    @property
    def counts(self) -> bool:
        """A fully refunded order is not a purchase (the metrics and the refund path agree)."""
        return self.refunded_amount < self.amount or self.amount == 0

    def profile(self) -> ProfileIn | None:
        """The customer fields this row carries, as the API would take them."""
        fields: dict[str, Any] = {
            name: getattr(self, name) for name in ("phone", "email", "name", "birthday", "consent")
        }
        present = {name: value for name, value in fields.items() if value is not None}
        return ProfileIn.model_validate(present) if present else None

    def fingerprint(self) -> dict[str, Any]:
        """The order as an idempotency body: what makes two rows the same order."""
        return {
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "amount": self.amount,
            "occurred_at": iso(self.occurred_at),
            "refunded_amount": self.refunded_amount,
        }


@dataclass(frozen=True)
class Rejected:
    row: int
    field: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


def format_of(path: Path, given: str | None) -> Format:
    if given in ("csv", "jsonl"):
        return given  # type: ignore[return-value]
    found = EXTENSIONS.get(path.suffix.lower())
    if found is None:
        raise FileProblem(f"cannot tell the format of {path.name} from its extension; pass --format")
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _money(value: Any, field: str) -> int:
    whole = f"{field} must be a whole number in the currency's smallest unit"
    if isinstance(value, bool):
        raise ValidationFailed(whole, field=field)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationFailed(whole, field=field)
        value = int(value)
    if isinstance(value, str):
        digits = to_ascii_digits(value.strip()).replace(",", "").replace("٬", "")
        if not digits.isascii() or not digits.isdigit():
            raise ValidationFailed(whole, field=field)
        value = int(digits)
    if not isinstance(value, int):
        raise ValidationFailed(whole, field=field)
    if not 0 <= value <= MAX_MONEY:
        raise ValidationFailed(f"{field} must be between 0 and {MAX_MONEY}", field=field)
    return value


def _moment(value: Any, timezone: ZoneInfo, now: datetime) -> datetime:
    text = to_ascii_digits(_text(value))
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(12), timezone)
        else:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone)
    except (ValueError, IndexError):
        raise ValidationFailed(
            "occurred_at must be an ISO date (2025-03-18) or date-time (2025-03-18T14:05:00+03:30)",
            field="occurred_at",
        ) from None
    if moment > now + FUTURE_SLACK:
        raise ValidationFailed("occurred_at is in the future", field="occurred_at")
    return moment.astimezone(UTC).replace(microsecond=0)


def _birthday(value: Any, today: date) -> dict[str, str]:
    if isinstance(value, dict):
        calendar, text = _text(value.get("calendar")), _text(value.get("date"))
    else:
        text = to_ascii_digits(_text(value))
        calendar = "jalali" if text[:4].isdigit() and int(text[:4]) < 1700 else "gregorian"
    try:
        return parse_birthday(calendar, text, today=today).as_dict()
    except InvalidDate as exc:
        raise ValidationFailed(f"birthday: {exc}", field="birthday") from None


def _contact(raw: dict[str, Any]) -> dict[str, str | None]:
    """Phone, email and name checked exactly as the API checks them."""
    given = {name: _text(raw.get(name)) for name in ("phone", "email", "name")}
    present = {name: value for name, value in given.items() if value}
    if not present:
        return {}
    try:
        checked = ProfileIn.model_validate(present)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else None
        raise ValidationFailed(f"{field}: {error['msg']}", field=field) from None
    return {name: getattr(checked, name) for name in present}


def check(raw: dict[str, Any], row: int, timezone: ZoneInfo, now: datetime) -> PastOrder:
    """One row as a past order; raises ValidationFailed naming the first bad field."""
    for field in REQUIRED:
        if _text(raw.get(field)) == "":
            raise ValidationFailed(f"{field} is missing", field=field)
    order_id = check_client_id(_text(raw["order_id"]), "order_id")
    customer_id = check_client_id(_text(raw["customer_id"]), "customer_id")
    occurred_at = _moment(raw["occurred_at"], timezone, now)
    amount = _money(raw["amount"], "amount")
    refunded = _money(raw["refunded_amount"], "refunded_amount") if _text(raw.get("refunded_amount")) else 0
    if refunded > amount:
        raise ValidationFailed("refunded_amount is more than amount", field="refunded_amount")
    contact = _contact(raw)
    birthday = _birthday(raw["birthday"], now.date()) if raw.get("birthday") else None
    return PastOrder(
        row=row,
        order_id=order_id,
        customer_id=customer_id,
        amount=amount,
        occurred_at=occurred_at,
        refunded_amount=refunded,
        phone=contact.get("phone"),
        email=contact.get("email"),
        name=contact.get("name"),
        birthday=birthday,
    )


def _csv_records(stream: Any) -> Iterator[tuple[int, dict[str, Any] | None]]:
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    names = [name.strip().lower() for name in header]
    missing = [field for field in REQUIRED if field not in names]
    if missing:
        raise FileProblem(f"the CSV header has no column {', '.join(missing)} (it has: {', '.join(names)})")
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield start, None
            continue
        if not any(value.strip() for value in values):
            continue  # a blank line
        yield start, dict(zip(names, values, strict=False))


def _json_records(stream: Any) -> Iterator[tuple[int, dict[str, Any] | None]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            loaded = json.loads(line)
        except ValueError:
            yield number, None
            continue
        yield number, loaded if isinstance(loaded, dict) else None


def read(path: Path, kind: Format, timezone: str, now: datetime) -> Iterator[PastOrder | Rejected]:
    """Every row of the file, checked: a PastOrder, or a Rejected with its row number and the reason.

    Raises FileProblem before the first row when the file as a whole is unusable.
    """
    zone = ZoneInfo(timezone)
    with path.open(encoding="utf-8-sig", newline="") as stream:
        records = _csv_records(stream) if kind == "csv" else _json_records(stream)
        for number, raw in records:
            if raw is None:
                what = "a CSV record" if kind == "csv" else "a JSON object"
                yield Rejected(number, None, f"not {what}")
                continue
            try:
                yield check(raw, number, zone, now)
            except ValidationFailed as exc:
                yield Rejected(number, exc.field, exc.message)


def count_rows(path: Path, kind: Format) -> int:
    """Non-blank lines (less a CSV header): the progress bar's total, close enough for quoted newlines."""
    with path.open("rb") as stream:
        lines = sum(1 for line in stream if line.strip())
    return max(0, lines - (1 if kind == "csv" else 0))
