from calendar import isleap
from datetime import date, timedelta

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vafa.calendars import Birthday, next_occurrence, occurrence_in_year
from vafa.messaging.kinds import _birthday_keys

# The live rules: `next_occurrence` (when a birthday is next celebrated) and the due index's keys of a
# day (`_birthday_keys`: whose birthdays a reminders run greets that day).


def _birthday(calendar: str, month: int, day: int) -> Birthday:
    if calendar not in ("jalali", "gregorian"):
        raise ValueError("calendar must be 'jalali' or 'gregorian'")
    year = 1370 if calendar == "jalali" else 2000  # leap years, so Esfand 30 and Feb 29 exist
    lengths = (
        [31] * 6 + [30] * 6 if calendar == "jalali" else [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    )
    if not 1 <= month <= 12 or not 1 <= day <= lengths[month - 1]:
        raise ValueError(f"{calendar} has no day {month}-{day}")
    return Birthday(calendar, year, month, day)  # type: ignore[arg-type]


def next_birthday(calendar: str, month: int, day: int, on_or_after: date) -> date:
    return next_occurrence(_birthday(calendar, month, day), on_or_after)


def birthday_on(calendar: str, month: int, day: int, d: date) -> bool:
    return f"{calendar}:{month:02d}-{day:02d}" in _birthday_keys(d)


def celebration_in_year(calendar: str, month: int, day: int, year: int) -> date:
    return occurrence_in_year(_birthday(calendar, month, day), year)


# Every date below was checked by hand with jdatetime and against the Nowruz dates (1 Farvardin):
# 1403 → 2024-03-20, 1404 → 2025-03-21, 1405 → 2026-03-21, 1406 → 2027-03-21, 1407 → 2028-03-20,
# 1408 → 2029-03-20, 1409 → 2030-03-21. Leap years: 1403 and 1408 (Esfand has 30 days).


@pytest.mark.parametrize(
    ("calendar", "month", "day", "on_or_after", "expected"),
    [
        ("jalali", 9, 1, date(2026, 11, 1), date(2026, 11, 22)),  # 1 Azar 1405
        ("jalali", 9, 1, date(2026, 11, 22), date(2026, 11, 22)),  # on the day itself
        ("jalali", 9, 1, date(2026, 11, 23), date(2027, 11, 22)),  # 1 Azar 1406
        ("jalali", 1, 1, date(2026, 3, 21), date(2026, 3, 21)),  # Nowruz 1405
        ("jalali", 1, 1, date(2026, 3, 22), date(2027, 3, 21)),
        # Esfand 30: exists in 1403 and 1408 only; otherwise celebrated on Esfand 29.
        ("jalali", 12, 30, date(2025, 3, 1), date(2025, 3, 20)),  # Esfand 30 1403
        ("jalali", 12, 30, date(2025, 3, 21), date(2026, 3, 20)),  # Esfand 29 1404
        ("jalali", 12, 30, date(2026, 3, 21), date(2027, 3, 20)),  # Esfand 29 1405
        ("jalali", 12, 30, date(2027, 3, 21), date(2028, 3, 19)),  # Esfand 29 1406
        ("jalali", 12, 30, date(2028, 3, 20), date(2029, 3, 19)),  # Esfand 29 1407
        ("jalali", 12, 30, date(2029, 3, 20), date(2030, 3, 20)),  # Esfand 30 1408
        ("jalali", 12, 29, date(2025, 3, 1), date(2025, 3, 19)),  # Esfand 29 1403 (a leap year)
        ("jalali", 12, 29, date(2026, 3, 1), date(2026, 3, 20)),  # Esfand 29 1404
        # Gregorian, with Feb 29 on Feb 28 in common years.
        ("gregorian", 2, 29, date(2027, 1, 1), date(2027, 2, 28)),
        ("gregorian", 2, 29, date(2027, 3, 1), date(2028, 2, 29)),
        ("gregorian", 2, 28, date(2028, 2, 28), date(2028, 2, 28)),
        ("gregorian", 12, 31, date(2026, 12, 31), date(2026, 12, 31)),
        ("gregorian", 12, 31, date(2027, 1, 1), date(2027, 12, 31)),
        ("gregorian", 1, 1, date(2026, 1, 2), date(2027, 1, 1)),
    ],
)
def test_next_birthday(calendar: str, month: int, day: int, on_or_after: date, expected: date) -> None:
    assert next_birthday(calendar, month, day, on_or_after) == expected  # type: ignore[arg-type]


def test_esfand_29_of_a_common_year_greets_both_esfand_29_and_30() -> None:
    day = date(2026, 3, 20)  # Esfand 29 1404
    assert birthday_on("jalali", 12, 29, day) and birthday_on("jalali", 12, 30, day)
    leap_29 = date(2025, 3, 19)  # Esfand 29 1403: Esfand 30 still follows
    assert birthday_on("jalali", 12, 29, leap_29) and not birthday_on("jalali", 12, 30, leap_29)
    assert birthday_on("jalali", 12, 30, date(2025, 3, 20))


def test_feb_28_of_a_common_year_greets_both_feb_28_and_29() -> None:
    assert birthday_on("gregorian", 2, 28, date(2027, 2, 28)) and birthday_on(
        "gregorian", 2, 29, date(2027, 2, 28)
    )
    assert not birthday_on("gregorian", 2, 29, date(2028, 2, 28))
    assert birthday_on("gregorian", 2, 29, date(2028, 2, 29))


def test_celebration_in_year_is_per_the_birthdays_own_calendar_year() -> None:
    assert celebration_in_year("jalali", 9, 1, 1405) == date(2026, 11, 22)
    assert celebration_in_year("jalali", 12, 30, 1404) == date(2026, 3, 20)
    assert celebration_in_year("gregorian", 2, 29, 2100) == date(2100, 2, 28)  # 2100 is not leap


@pytest.mark.parametrize(
    ("calendar", "month", "day"),
    [
        ("jalali", 7, 31),  # Mehr has 30 days
        ("jalali", 12, 31),
        ("jalali", 13, 1),
        ("jalali", 0, 10),
        ("jalali", 5, 0),
        ("gregorian", 2, 30),
        ("gregorian", 4, 31),
        ("gregorian", 13, 1),
        ("hijri", 1, 1),
    ],
)
def test_days_no_year_has_are_rejected(calendar: str, month: int, day: int) -> None:
    with pytest.raises(ValueError):
        next_birthday(calendar, month, day, date(2026, 1, 1))  # type: ignore[arg-type]


JALALI_LENGTHS = [31] * 6 + [30] * 6
jalali_day = st.integers(1, 12).flatmap(
    lambda m: st.tuples(st.just(m), st.integers(1, JALALI_LENGTHS[m - 1]))
)
gregorian_day = st.dates(date(2000, 1, 1), date(2000, 12, 31)).map(lambda d: (d.month, d.day))  # 2000 is leap
birthdays = st.one_of(
    jalali_day.map(lambda md: ("jalali", *md)), gregorian_day.map(lambda md: ("gregorian", *md))
)
days = st.dates(date(2000, 1, 1), date(2070, 12, 31))


@settings(max_examples=60, deadline=None)
@given(birthdays, days)
def test_next_birthday_is_the_first_celebration_on_or_after(
    birthday: tuple[str, int, int], start: date
) -> None:
    calendar, month, day = birthday
    found = next_birthday(calendar, month, day, start)  # type: ignore[arg-type]
    assert start <= found < start + timedelta(days=366)
    assert birthday_on(calendar, month, day, found)  # type: ignore[arg-type]
    probe = start
    while probe < found:
        assert not birthday_on(calendar, month, day, probe)  # type: ignore[arg-type]
        probe += timedelta(days=1)


@settings(max_examples=200)
@given(birthdays, days)
def test_the_celebration_is_the_birthday_or_the_day_before_a_missing_leap_day(
    birthday: tuple[str, int, int], start: date
) -> None:
    calendar, month, day = birthday
    found = next_birthday(calendar, month, day, start)  # type: ignore[arg-type]
    if calendar == "jalali":
        j = jdatetime.date.fromgregorian(date=found)
        shown = (j.month, j.day)
        leap_day_missing = (month, day) == (12, 30) and not j.isleap()
    else:
        shown = (found.month, found.day)
        leap_day_missing = (month, day) == (2, 29) and not isleap(found.year)
    assert shown == ((month, day - 1) if leap_day_missing else (month, day))
