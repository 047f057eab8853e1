"""Birthdays kept in the calendar the customer gave: validation and yearly occurrence."""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass
from datetime import date
from typing import Literal

import jdatetime

Calendar = Literal["jalali", "gregorian"]
CALENDARS: tuple[Calendar, ...] = ("jalali", "gregorian")
ESFAND = 12
# The day that exists only in a leap year of each calendar: Esfand 30, Feb 29.
LEAP_DAYS: dict[Calendar, tuple[int, int]] = {"jalali": (ESFAND, 30), "gregorian": (2, 29)}


class InvalidDate(ValueError):
    """The date does not exist in the calendar it names."""


@dataclass(frozen=True)
class Birthday:
    calendar: Calendar
    year: int
    month: int
    day: int

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def as_dict(self) -> dict[str, str]:
        return {"calendar": self.calendar, "date": self.iso}


def parse_birthday(calendar: str, text: str, *, today: date) -> Birthday:
    """Check `YYYY-MM-DD` in the named calendar; a birthday must be a real date in the past."""
    if calendar not in CALENDARS:
        raise InvalidDate("calendar must be 'jalali' or 'gregorian'")
    parts = text.split("-") if isinstance(text, str) else []
    if (
        len(parts) != 3
        or not all(p.isascii() and p.isdigit() for p in parts)
        or [len(p) for p in parts] != [4, 2, 2]
    ):
        raise InvalidDate("date must be YYYY-MM-DD")
    year, month, day = (int(p) for p in parts)
    if calendar == "jalali":
        try:
            gregorian = jdatetime.date(year, month, day).togregorian()
        except ValueError as exc:
            raise InvalidDate(f"{text} is not a Jalali date") from exc
    else:
        try:
            gregorian = date(year, month, day)
        except ValueError as exc:
            raise InvalidDate(f"{text} is not a Gregorian date") from exc
    if gregorian > today:
        raise InvalidDate("a birthday cannot be in the future")
    if today.year - gregorian.year > 130:
        raise InvalidDate("a birthday more than 130 years ago is not plausible")
    return Birthday(calendar, year, month, day)


def celebrated_day(calendar: Calendar, year: int, month: int, day: int) -> int:
    """The day of `month` a birthday on (`month`, `day`) is celebrated in `year` of its calendar.

    The one leap-day rule: Esfand 30 in a common Jalali year falls on Esfand 29, Feb 29 in a common
    Gregorian year on Feb 28; every other day is its own."""
    leap_month, leap_day = LEAP_DAYS[calendar]
    if (month, day) != (leap_month, leap_day):
        return day
    leap = jdatetime.date(year, 1, 1).isleap() if calendar == "jalali" else _gregorian.isleap(year)
    return day if leap else day - 1


def occurrence_in_year(birthday: Birthday, year: int) -> date:
    """The Gregorian date the birthday is celebrated in `year` of its own calendar."""
    day = celebrated_day(birthday.calendar, year, birthday.month, birthday.day)
    if birthday.calendar == "jalali":
        return jdatetime.date(year, birthday.month, day).togregorian()
    return date(year, birthday.month, day)


def birthdays_on(day: date) -> list[tuple[Calendar, int, int]]:
    """The birthdays, as (calendar, month, day), celebrated on this Gregorian date: its day in each
    calendar, and the leap day it stands in for when that calendar's year has none."""
    jalali = jdatetime.date.fromgregorian(date=day)
    found: list[tuple[Calendar, int, int]] = []
    dates: tuple[tuple[Calendar, int, int, int], ...] = (
        ("jalali", jalali.year, jalali.month, jalali.day),
        ("gregorian", day.year, day.month, day.day),
    )
    for calendar, year, month, mday in dates:
        found.append((calendar, month, mday))
        leap_month, leap_day = LEAP_DAYS[calendar]
        if (
            month == leap_month
            and mday != leap_day
            and celebrated_day(calendar, year, month, leap_day) == mday
        ):
            found.append((calendar, leap_month, leap_day))
    return found


def next_occurrence(birthday: Birthday, on_or_after: date) -> date:
    """The first celebration date on or after the given Gregorian date."""
    if birthday.calendar == "jalali":
        year = jdatetime.date.fromgregorian(date=on_or_after).year
    else:
        year = on_or_after.year
    for candidate_year in (year, year + 1):
        occurrence = occurrence_in_year(birthday, candidate_year)
        if occurrence >= on_or_after:
            return occurrence
    raise AssertionError("unreachable: a birthday recurs every year")
