"""A segment definition: a named segment and/or filters, all of which must hold (pure)."""

# No `from __future__ import annotations`: the records' annotations are made once, at import, as
# objects msgspec reads directly; as strings, the first request would compile and evaluate each one.

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import jdatetime

from vafa.calendars import Birthday, next_occurrence
from vafa.errors import ValidationFailed
from vafa.insight.segments.rfm import SEGMENTS, Member, segment_of
from vafa.program import Money
from vafa.records import Check, Meta, Record, ValidationError, convert
from vafa.timeutil import iso, parse_instant

Count = Annotated[int, Meta(ge=0, le=1_000_000)]
NAMES = ("all", *SEGMENTS)
if TYPE_CHECKING:
    SegmentName = str
else:  # the names come from the RFM module; a Literal of a tuple is a Literal of its members
    SegmentName = Literal[NAMES]


def _moment(value: str) -> str:
    if len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError("must be a date (YYYY-MM-DD) or an ISO-8601 instant with offset") from None
        return iso(datetime(day.year, day.month, day.day, tzinfo=UTC))
    return iso(parse_instant(value))


# A date or an instant, kept as the instant (UTC) it compares customers' purchase times with.
Moment = Annotated[str, Meta(max_length=64, description="Date or instant"), Check(_moment)]


class SegmentDef(Record, forbid_unknown_fields=True):
    """`"at_risk"` is short for `{"name": "at_risk"}`; every field given must hold."""

    name: SegmentName = "all"
    last_purchase_before: Moment | None = None
    last_purchase_after: Moment | None = None
    min_purchases: Count | None = None
    max_purchases: Count | None = None
    min_total_spent: Money | None = None
    max_total_spent: Money | None = None
    min_balance: Money | None = None
    max_balance: Money | None = None
    birthday_month: Annotated[int, Meta(ge=1, le=12)] | None = None
    birthday_calendar: Literal["jalali", "gregorian"] = "jalali"
    consent: Literal["sms", "email", "push"] | None = None

    def matches(self, member: Member, now: datetime, cycle_days: int) -> bool:
        if self.name != "all" and segment_of(member, now, cycle_days) != self.name:
            return False
        last = member.last_purchase_at
        if self.last_purchase_before is not None and not (last and last < self.last_purchase_before):
            return False
        if self.last_purchase_after is not None and not (last and last >= self.last_purchase_after):
            return False
        checks = (
            (self.min_purchases, self.max_purchases, member.purchases_count),
            (self.min_total_spent, self.max_total_spent, member.total_spent),
            (self.min_balance, self.max_balance, member.balance),
        )
        for low, high, value in checks:
            if (low is not None and value < low) or (high is not None and value > high):
                return False
        if self.consent is not None and not (member.consent or {}).get(self.consent):
            return False
        return self.birthday_month is None or birthday_month(member, self.birthday_calendar, now) == (
            self.birthday_month
        )

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(exclude_defaults=True) or {"name": "all"}


def birthday_month(member: Member, calendar: str, now: datetime) -> int | None:
    """The month of the customer's next birthday, in `calendar` (converted when they gave the other)."""
    given = member.birthday or {}
    text, kind = given.get("date"), given.get("calendar")
    if not text or kind not in ("jalali", "gregorian"):
        return None
    year, month, day = (int(p) for p in text.split("-"))
    if kind == calendar:
        return month
    upcoming = next_occurrence(Birthday(kind, year, month, day), now.date())  # type: ignore[arg-type]
    if calendar == "jalali":
        return int(jdatetime.date.fromgregorian(date=upcoming).month)
    return upcoming.month


def parse_segment(value: Any, field: str = "segment") -> SegmentDef:
    """A segment from the API: a name, or an object of a name and filters; 422 names the bad field."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise ValidationFailed("segment must be a segment name or an object of filters", field=field)
    try:
        segment: SegmentDef = convert(value, SegmentDef, (field,))
    except ValidationError as exc:
        error = exc.errors()[0]
        named = ".".join(str(p) for p in error["loc"])
        raise ValidationFailed(f"{named}: {error['msg']}", field=named) from None
    return segment
