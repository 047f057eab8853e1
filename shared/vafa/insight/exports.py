"""CSV exports of a merchant's customers, ledger and messages, for spreadsheet programs.

Each answer is one self-contained CSV file: UTF-8 with a byte-order mark (so Excel reads Persian),
headers in the merchant's language (the program's `default_locale`), times as stored (ISO-8601,
UTC), amounts as plain integers. A cell of text that starts with `=`, `+`, `-`, `@`, a tab or a
carriage return is prefixed with `'`, so a spreadsheet never runs it as a formula (a name such as
`=HYPERLINK(...)`, or a phone's `+98…`); integers are written bare.

A Lambda answer holds at most 6 MB, so nothing is loaded whole: rows are read page by page and an
answer stops at `MAX_ROWS` rows or `MAX_BYTES` of CSV, whichever comes first, and names where the
next one starts (`X-Next-Cursor`; the rows are in a stable order, so following the cursors yields
every row once). What each file costs to read:
- customers: the member list (MemberIndex, 8 shards), then the profiles in BatchGetItem pages of 100;
- ledger: the merchant's timeline (ActivityIndex, one partition a day) and the records it lists, in
  BatchGetItem pages, each record's entries a row;
- messages: there is no merchant-wide list of messages (each sits in its customer's partition), so
  the member list is walked and each customer's delivery log in the range is one Query; at most
  `MESSAGE_CUSTOMERS` customers an answer.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from vafa.store import keys as k
from vafa.store.models import AdjustmentItem, CustomerItem, Item, NotificationItem, WalletRecord
from vafa.store.table import ensure_configured
from vafa.wallet.store import batch_get

BOM = "\ufeff"
MAX_ROWS = 20_000
MAX_BYTES = 5_000_000  # under the 6 MB answer limit with room for headers and the JSON envelope
MESSAGE_CUSTOMERS = 300
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    # (field, English header, Persian header)
    "customers": [
        ("customer_id", "customer_id", "شناسه مشتری"),
        ("name", "name", "نام"),
        ("phone", "phone", "تلفن"),
        ("email", "email", "ایمیل"),
        ("locale", "locale", "زبان"),
        ("balance", "balance", "موجودی کیف پول"),
        ("purchases_count", "purchases_count", "تعداد خرید"),
        ("total_spent", "total_spent", "مجموع خرید"),
        ("first_purchase_at", "first_purchase_at", "نخستین خرید"),
        ("last_purchase_at", "last_purchase_at", "آخرین خرید"),
        ("next_expiry", "next_expiry", "نزدیک‌ترین انقضای اعتبار"),
        ("consent_sms", "consent_sms", "رضایت پیامک"),
        ("consent_email", "consent_email", "رضایت ایمیل"),
        ("consent_push", "consent_push", "رضایت اعلان"),
        ("created_at", "created_at", "تاریخ عضویت"),
    ],
    "ledger": [
        ("recorded_at", "recorded_at", "زمان ثبت"),
        ("at", "at", "زمان رویداد"),
        ("customer_id", "customer_id", "شناسه مشتری"),
        ("type", "type", "نوع"),
        ("amount", "amount", "مبلغ"),
        ("balance_after", "balance_after", "موجودی پس از آن"),
        ("ref", "ref", "مرجع"),
        ("reason", "reason", "دلیل"),
        ("by", "by", "ثبت‌کننده"),
    ],
    "messages": [
        ("at", "at", "زمان"),
        ("customer_id", "customer_id", "شناسه مشتری"),
        ("kind", "kind", "نوع پیام"),
        ("channel", "channel", "کانال"),
        ("status", "status", "وضعیت"),
        ("reason", "reason", "دلیل"),
        ("campaign_id", "campaign_id", "کمپین"),
        ("cost", "cost", "هزینه"),
        ("clicked_at", "clicked_at", "زمان کلیک"),
        ("body", "body", "متن"),
    ],
}


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet may read it: integers bare, text never taken for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


@dataclass
class Sheet:
    """One answer's CSV, filled row by row until it is full."""

    name: str
    locale: str
    buffer: io.StringIO
    writer: Any
    rows: int = 0

    @classmethod
    def start(cls, name: str, locale: str) -> Sheet:
        buffer = io.StringIO()
        buffer.write(BOM)
        writer = csv.writer(buffer, lineterminator="\r\n")
        columns = COLUMNS[name]
        writer.writerow([fa if locale == "fa" else en for _, en, fa in columns])
        return cls(name, locale, buffer, writer)

    def add(self, row: dict[str, Any]) -> None:
        self.writer.writerow([safe_cell(row.get(field)) for field, _, _ in COLUMNS[self.name]])
        self.rows += 1

    @property
    def full(self) -> bool:
        # Characters, not bytes: Persian text is 2 bytes a letter, so bytes are at most 2× this (+ ASCII).
        return self.rows >= MAX_ROWS or self.buffer.tell() * 2 >= MAX_BYTES

    def text(self) -> str:
        return self.buffer.getvalue()


def _in_range(moment: str | None, start: date | None, end: date | None) -> bool:
    if moment is None:
        return start is None and end is None
    day = moment[:10]
    return (start is None or day >= start.isoformat()) and (end is None or day <= end.isoformat())


# -- customers and messages: the member list, shard by shard ----------------------------------------


def _members(merchant_id: str, cursor: str | None) -> Iterator[tuple[str, str]]:
    """(position, customer id) of every customer, shard by shard in id order, after `cursor`
    (`<shard>:<customer id>`)."""
    ensure_configured()
    shards = k.member_pks(merchant_id)
    first, after = 0, None
    if cursor:
        shard_text, _, after = cursor.partition(":")
        first = int(shard_text)
    for shard in range(first, len(shards)):
        condition = CustomerItem.MemberSK > after if shard == first and after is not None else None
        for item in CustomerItem.member_index.query(shards[shard], condition, page_size=500):
            if isinstance(item, CustomerItem):  # the index projects the type tag
                yield f"{shard}:{item.MemberSK}", str(item.MemberSK)


def _chunks(merchant_id: str, cursor: str | None, size: int) -> Iterator[list[tuple[str, str]]]:
    chunk: list[tuple[str, str]] = []
    for member in _members(merchant_id, cursor):
        chunk.append(member)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _consent(profile: CustomerItem, channel: str) -> bool:
    consent = profile.consent.as_dict() if hasattr(profile.consent, "as_dict") else (profile.consent or {})
    return bool(consent.get(channel, False))


def customers(
    merchant_id: str, locale: str, start: date | None, end: date | None, cursor: str | None
) -> tuple[str, str | None]:
    """Customers (who joined from `start` to `end`, when given), and where the next answer starts."""
    sheet = Sheet.start("customers", locale)
    for chunk in _chunks(merchant_id, cursor, 100):
        found = batch_get([(k.customer_pk(merchant_id, c), k.PROFILE) for _, c in chunk])
        for position, customer_id in chunk:
            profile = found.get((k.customer_pk(merchant_id, customer_id), k.PROFILE))
            if isinstance(profile, CustomerItem) and (
                (start is None and end is None) or _in_range(profile.created_at, start, end)
            ):
                sheet.add(
                    {
                        "customer_id": profile.customer_id,
                        "name": profile.name,
                        "phone": profile.phone,
                        "email": profile.email,
                        "locale": profile.locale,
                        "balance": int(profile.balance),
                        "purchases_count": int(profile.purchases_count),
                        "total_spent": int(profile.total_spent),
                        "first_purchase_at": profile.first_purchase_at,
                        "last_purchase_at": profile.last_purchase_at,
                        "next_expiry": profile.next_expiry,
                        "consent_sms": _consent(profile, "sms"),
                        "consent_email": _consent(profile, "email"),
                        "consent_push": _consent(profile, "push"),
                        "created_at": profile.created_at,
                    }
                )
            if sheet.full:
                return sheet.text(), position
    return sheet.text(), None


def messages(
    merchant_id: str, locale: str, start: date, end: date, cursor: str | None
) -> tuple[str, str | None]:
    """Every message decided from `start` to `end`, customer by customer (each log oldest first)."""
    sheet = Sheet.start("messages", locale)
    low, high = f"{k.NOTE_PREFIX}{start.isoformat()}", f"{k.NOTE_PREFIX}{end.isoformat()}T~"
    for walked, (position, customer_id) in enumerate(_members(merchant_id, cursor), start=1):
        for note in Item.query(k.customer_pk(merchant_id, customer_id), Item.SK.between(low, high)):
            if isinstance(note, NotificationItem):
                sheet.add(
                    {
                        "at": note.at,
                        "customer_id": note.customer_id,
                        "kind": note.message_kind,
                        "channel": note.channel,
                        "status": note.status,
                        "reason": note.reason,
                        "campaign_id": note.campaign_id,
                        "cost": int(note.cost) if note.cost is not None else None,
                        "clicked_at": note.clicked_at,
                        "body": note.body,
                    }
                )
        # Between customers only, so a customer's messages are never split over two answers.
        if sheet.full or walked >= MESSAGE_CUSTOMERS:
            return sheet.text(), position
    return sheet.text(), None


# -- ledger: the merchant's timeline, day by day ----------------------------------------------------


def _days(start: date, end: date) -> list[str]:
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def _entry_rows(record: WalletRecord) -> Iterator[dict[str, Any]]:
    adjustment = record if isinstance(record, AdjustmentItem) else None
    for _seq, type_, amount, balance_after, at, ref in json.loads(record.entries or "[]"):
        yield {
            "recorded_at": record.recorded_at,
            "at": at,
            "customer_id": record.customer_id,
            "type": type_,
            "amount": int(amount),
            "balance_after": int(balance_after),
            "ref": ref,
            "reason": adjustment.reason if adjustment and type_ == "adjust" else None,
            "by": adjustment.actor if adjustment and type_ == "adjust" else None,
        }


def ledger(
    merchant_id: str, locale: str, start: date, end: date, cursor: str | None
) -> tuple[str, str | None]:
    """Every ledger entry recorded from `start` to `end`, in the order it was recorded; the cursor
    is the day and the timeline key of the last record written (`<day>|<key>`)."""
    ensure_configured()
    sheet = Sheet.start("ledger", locale)
    first_day, _, after = (cursor or "").partition("|")
    days = [d for d in _days(start, end) if not first_day or d >= first_day]
    for day in days:
        condition = WalletRecord.ActSK > after if after and day == first_day else None
        listed: list[Item] = []
        for item in WalletRecord.timeline.query(k.activity_pk(merchant_id, day), condition, page_size=100):
            listed.append(item)
            if len(listed) >= 100:
                stop = _write_records(sheet, listed, day)
                if stop:
                    return sheet.text(), stop
                listed = []
        stop = _write_records(sheet, listed, day)
        if stop:
            return sheet.text(), stop
    return sheet.text(), None


def _write_records(sheet: Sheet, listed: Sequence[Item], day: str) -> str | None:
    """Write the listed records' entries; where to continue once the sheet is full (None: not full)."""
    if not listed:
        return None
    found = batch_get([(item.PK, item.SK) for item in listed])
    for item in listed:
        record = found.get((item.PK, item.SK))
        if isinstance(record, WalletRecord):
            for row in _entry_rows(record):
                sheet.add(row)
        if sheet.full:
            return f"{day}|{getattr(item, 'ActSK', '')}"
    return None
