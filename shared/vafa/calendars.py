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


def occurrence_in_year(birthday: Birthday, year: int) -> date:
    """The Gregorian date the birthday is celebrated in `year` of its own calendar.

    Esfand 30 in a common Jalali year falls on Esfand 29; Feb 29 in a common year on Feb 28.
    """
    if birthday.calendar == "jalali":
        day = birthday.day
        if birthday.month == ESFAND and day == 30 and not jdatetime.date(year, 1, 1).isleap():
            day = 29
        return jdatetime.date(year, birthday.month, day).togregorian()
    day = birthday.day
    if birthday.month == 2 and day == 29 and not _gregorian.isleap(year):
        day = 28
    return date(year, birthday.month, day)


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
