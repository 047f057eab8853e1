"""When a birthday is celebrated: the Gregorian date of each year's occurrence, in either calendar.

A Jalali birthday falls on a different Gregorian date from year to year, so it is converted per
Jalali year. A birthday on a day that the year lacks moves back one day: Esfand 30 in a common
Jalali year is celebrated on Esfand 29, Feb 29 in a common Gregorian year on Feb 28. Dates here are
calendar dates in the merchant's timezone; the caller turns "now" into that date first.
"""

from __future__ import annotations

import calendar as gregorian_calendar
from datetime import date
from typing import Literal

Calendar = Literal["jalali", "gregorian"]
ESFAND = 12
# Days in each Jalali month, Esfand counted at its leap-year length.
_JALALI_MONTH_DAYS = (31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, 30)


def _check(calendar: str, month: int, day: int) -> None:
    if calendar == "jalali":
        longest = _JALALI_MONTH_DAYS[month - 1] if 1 <= month <= 12 else 0
    elif calendar == "gregorian":
        longest = gregorian_calendar.monthrange(2000, month)[1] if 1 <= month <= 12 else 0
    else:
        raise ValueError(f"unknown calendar {calendar!r}")
    if not 1 <= day <= longest:
        raise ValueError(f"{calendar} {month:02d}-{day:02d} is not a day of the year")


def _jalali_year(d: date) -> int:
    import jdatetime  # deferred: only birthday checks need it, not every Lambda's cold start

    return int(jdatetime.date.fromgregorian(year=d.year, month=d.month, day=d.day).year)


def celebration_in_year(calendar: Calendar, month: int, day: int, year: int) -> date:
    """The Gregorian date a birthday is celebrated in `year` of its own calendar."""
    _check(calendar, month, day)
    if calendar == "gregorian":
        if (month, day) == (2, 29) and not gregorian_calendar.isleap(year):
            day = 28
        return date(year, month, day)
    import jdatetime  # deferred, as above

    if month == ESFAND and day == 30 and not jdatetime.date(year, 1, 1).isleap():
        day = 29
    return jdatetime.date(year, month, day).togregorian()


def next_birthday(calendar: Calendar, month: int, day: int, on_or_after: date) -> date:
    """The Gregorian date of the first celebration on or after `on_or_after`."""
    _check(calendar, month, day)
    year = _jalali_year(on_or_after) if calendar == "jalali" else on_or_after.year
    this_year = celebration_in_year(calendar, month, day, year)
    if this_year >= on_or_after:
        return this_year
    return celebration_in_year(calendar, month, day, year + 1)


def birthday_on(calendar: Calendar, month: int, day: int, d: date) -> bool:
    """Whether the birthday is celebrated on the Gregorian date `d`."""
    return next_birthday(calendar, month, day, d) == d
