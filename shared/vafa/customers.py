"""Customer profiles: validation of what shops send, and the shape the API returns."""

# No `from __future__ import annotations`: the records' annotations are made once, at import, as
# objects msgspec reads directly; as strings, the first request would compile and evaluate each one.

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from vafa.calendars import InvalidDate, parse_birthday
from vafa.errors import ValidationFailed
from vafa.phones import InvalidPhone, normalize_phone
from vafa.records import UNSET, Check, Meta, Record, UnsetType
from vafa.store import keys as k
from vafa.store.models import CustomerItem
from vafa.timeutil import iso

CHANNELS = ("sms", "email", "push")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CLIENT_ID_RULE = "must be 1-128 printable characters"


def _visible(value: str) -> bool:
    """Whether anything is left once spaces and invisible (format) characters are removed: an id of
    zero-width spaces alone looks empty to every person who reads it."""
    import unicodedata

    return any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in value)


def _printable(value: str) -> str:
    if _CONTROL.search(value) or not _visible(value):
        raise ValueError(CLIENT_ID_RULE)
    return value


# Shop-side ids (orders, customers, redemptions, …): 1–128 printable characters, not all blank. One
# wording whichever part fails, so a shop reads the whole rule.
ClientId = Annotated[str, Meta(min_length=1, max_length=128), Check(_printable, CLIENT_ID_RULE)]


def check_client_id(value: str, field: str) -> str:
    """A shop-side id from the path or a file, by the rule the bodies' ids are checked with."""
    try:
        if not isinstance(value, str) or not 1 <= len(value) <= 128:
            raise ValueError(CLIENT_ID_RULE)
        return _printable(value)
    except ValueError:
        raise ValidationFailed(f"{field} {CLIENT_ID_RULE}", field=field) from None


def _one_line(value: str) -> str:
    from vafa.program import single_line

    return single_line(value)


def _phone(value: str) -> str:
    try:
        return normalize_phone(value)
    except InvalidPhone as exc:
        raise ValueError(str(exc)) from exc


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.fullmatch(value):
        raise ValueError("not an email address")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _ascii_date(value: str) -> str:
    """`۱۳۶۸-۰۵-۱۲` is `1368-05-12`: stored with ASCII digits, checked as YYYY-MM-DD."""
    from vafa.i18n.persian import to_ascii_digits  # Persian and Arabic-Indic digits as typed

    text = to_ascii_digits(value.strip()).replace("/", "-")
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text, re.ASCII):
        raise ValueError("must be YYYY-MM-DD in that calendar (Persian digits are fine)")
    return text


class BirthdayIn(Record, forbid_unknown_fields=True):
    calendar: Literal["jalali", "gregorian"]
    date: Annotated[
        str,
        Meta(max_length=20, description="YYYY-MM-DD in that calendar; Persian digits accepted"),
        Check(_ascii_date),
    ]


class ConsentIn(Record, forbid_unknown_fields=True):
    """Channels left out or `null` keep their consent."""

    sms: bool | None = None
    email: bool | None = None
    push: bool | None = None


Phone = Annotated[str, Meta(max_length=40), Check(_phone)]
Email = Annotated[str, Meta(max_length=254), Check(_email)]
PersonName = Annotated[str, Meta(max_length=200), Check(_one_line)]


class ProfileIn(Record):
    """Customer fields a shop may send; a field left out is left unchanged, `null` clears it."""

    # UNSET is "left out" (msgspec's own marker): it is never sent back, and differs from `null`.
    phone: Annotated[Phone | UnsetType | None, Meta(description="Any form; stored E.164")] = UNSET
    email: Email | UnsetType | None = UNSET
    name: PersonName | UnsetType | None = UNSET
    locale: Literal["fa", "en"] | UnsetType | None = UNSET
    birthday: BirthdayIn | UnsetType | None = UNSET
    consent: ConsentIn | UnsetType | None = UNSET


def apply_profile(
    item: CustomerItem, profile: ProfileIn, now: datetime, *, field_prefix: str = ""
) -> CustomerItem:
    """Copy the fields the shop named (those not UNSET) onto the stored customer."""
    if profile.birthday is not UNSET:
        if profile.birthday is None:
            item.birthday = None
            item.ActPK = item.ActSK = None
        else:
            try:
                parsed = parse_birthday(profile.birthday.calendar, profile.birthday.date, today=now.date())
            except InvalidDate as exc:
                raise ValidationFailed(str(exc), field=f"{field_prefix}birthday.date") from exc
            item.birthday = parsed.as_dict()
            # Birthdays are found by calendar month-day, so the index entry never changes year to year;
            # on ActivityIndex, as the profile's DueIndex key is its soonest credit expiry.
            item.ActPK = k.due_pk(item.PK.split("#")[1], "birthday")
            item.ActSK = f"{parsed.calendar}:{parsed.month:02d}-{parsed.day:02d}#{item.customer_id}"
    if profile.phone is not UNSET:
        item.phone = profile.phone
        merchant_id = item.PK.split("#")[1]
        item.GSI1PK = k.phone_key(merchant_id, profile.phone) if profile.phone else None
        item.GSI1SK = item.customer_id if profile.phone else None
    if profile.email is not UNSET:
        item.email = profile.email
    if profile.name is not UNSET:
        item.name = profile.name
    if profile.locale is not UNSET:
        item.locale = profile.locale
    if profile.consent is not UNSET:
        current = dict(item.consent.as_dict() if hasattr(item.consent, "as_dict") else (item.consent or {}))
        if profile.consent is not None:
            for channel in CHANNELS:
                value = getattr(profile.consent, channel)
                if value is not None:
                    current[channel] = value
        item.consent = current
    item.updated_at = iso(now)
    return item


def new_customer(merchant_id: str, customer_id: str, default_locale: str, now: datetime) -> CustomerItem:
    at = iso(now)
    return CustomerItem(
        k.customer_pk(merchant_id, customer_id),
        k.PROFILE,
        customer_id=customer_id,
        locale=default_locale,
        consent={channel: False for channel in CHANNELS},
        balance=0,
        seq=0,
        purchases_count=0,
        total_spent=0,
        created_at=at,
        updated_at=at,
        MemberPK=k.member_pk(merchant_id, customer_id),
        MemberSK=customer_id,
    )


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "as_dict"):
        return value.as_dict()
    return dict(value)


def customer_view(item: CustomerItem, now: datetime) -> dict[str, Any]:
    """The customer as the API returns it; `expiring` lists open lots, soonest first."""
    from vafa.wallet.store import lots_of

    consent = {channel: False for channel in CHANNELS}
    consent.update(_plain(item.consent) or {})
    open_lots = sorted(
        (lot for lot in lots_of(item) if lot.open_at(now)), key=lambda lot: (lot.expires_at, lot.earned_at)
    )
    return {
        "customer_id": item.customer_id,
        "phone": item.phone,
        "email": item.email,
        "name": item.name,
        "locale": item.locale,
        "birthday": _plain(item.birthday),
        "consent": consent,
        "balance": int(item.balance),
        "purchases_count": int(item.purchases_count),
        "total_spent": int(item.total_spent),
        "first_purchase_at": item.first_purchase_at,
        "last_purchase_at": item.last_purchase_at,
        "expiring": [{"amount": lot.remaining, "expires_at": iso(lot.expires_at)} for lot in open_lots],
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }
