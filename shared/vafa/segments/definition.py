"""A segment definition: a named segment and/or filters, all of which must hold (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import jdatetime
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, field_validator

from vafa.calendars import Birthday, next_occurrence
from vafa.errors import ValidationFailed
from vafa.program import MAX_MONEY
from vafa.segments.rfm import SEGMENTS, Member, segment_of
from vafa.timeutil import iso, parse_instant

Amount = Annotated[StrictInt, Field(ge=0, le=MAX_MONEY)]
Count = Annotated[StrictInt, Field(ge=0, le=1_000_000)]
NAMES = ("all", *SEGMENTS)


class SegmentDef(BaseModel):
    """`"at_risk"` is short for `{"name": "at_risk"}`; every field given must hold."""

    model_config = ConfigDict(extra="forbid")

    name: Literal[NAMES] = "all"  # type: ignore[valid-type]
    last_purchase_before: StrictStr | None = Field(default=None, description="Date or instant")
    last_purchase_after: StrictStr | None = None
    min_purchases: Count | None = None
    max_purchases: Count | None = None
    min_total_spent: Amount | None = None
    max_total_spent: Amount | None = None
    min_balance: Amount | None = None
    max_balance: Amount | None = None
    birthday_month: Annotated[StrictInt, Field(ge=1, le=12)] | None = None
    birthday_calendar: Literal["jalali", "gregorian"] = "jalali"
    consent: Literal["sms", "email", "push"] | None = None

    @field_validator("last_purchase_before", "last_purchase_after")
    @classmethod
    def _moment(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if len(value) == 10:
            day = date.fromisoformat(value)
            return iso(datetime(day.year, day.month, day.day, tzinfo=UTC))
        return iso(parse_instant(value))

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
        return SegmentDef.model_validate(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        named = f"{field}.{where}" if where else field
        raise ValidationFailed(f"{named}: {error['msg']}", field=named) from None
