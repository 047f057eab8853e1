from datetime import date

import pytest
from vafa.calendars import Birthday, InvalidDate, next_occurrence, occurrence_in_year, parse_birthday

TODAY = date(2026, 11, 22)


def test_esfand_30_exists_only_in_leap_jalali_years() -> None:
    assert parse_birthday("jalali", "1403-12-30", today=TODAY).iso == "1403-12-30"
    with pytest.raises(InvalidDate):
        parse_birthday("jalali", "1404-12-30", today=TODAY)


def test_gregorian_feb_29_only_in_leap_years() -> None:
    assert parse_birthday("gregorian", "2000-02-29", today=TODAY).day == 29
    with pytest.raises(InvalidDate):
        parse_birthday("gregorian", "2001-02-29", today=TODAY)


@pytest.mark.parametrize(
    "text", ["1370-13-01", "1370-00-10", "1370-07-31", "13701201", "۱۳۷۰-۱۲-۰۱", "1370-1-1"]
)
def test_impossible_or_malformed_jalali_dates_are_rejected(text: str) -> None:
    with pytest.raises(InvalidDate):
        parse_birthday("jalali", text, today=TODAY)


def test_birthdays_in_the_future_are_rejected() -> None:
    with pytest.raises(InvalidDate):
        parse_birthday("gregorian", "2027-01-01", today=TODAY)


def test_esfand_30_is_celebrated_on_esfand_29_in_a_common_year() -> None:
    born = Birthday("jalali", 1370, 12, 30)
    # 1404 is a common year: Esfand 29 1404 is 2026-03-20 in the Gregorian calendar.
    assert occurrence_in_year(born, 1404) == date(2026, 3, 20)
    # 1403 is leap: Esfand 30 1403 is 2025-03-20.
    assert occurrence_in_year(born, 1403) == date(2025, 3, 20)


def test_feb_29_is_celebrated_on_feb_28_in_a_common_year() -> None:
    born = Birthday("gregorian", 2000, 2, 29)
    assert occurrence_in_year(born, 2027) == date(2027, 2, 28)
    assert occurrence_in_year(born, 2028) == date(2028, 2, 29)


def test_a_jalali_birthday_moves_in_the_gregorian_calendar_year_to_year() -> None:
    born = Birthday("jalali", 1370, 9, 1)  # 1 Azar
    assert next_occurrence(born, date(2026, 11, 1)) == date(2026, 11, 22)
    assert next_occurrence(born, date(2026, 11, 23)) == date(2027, 11, 22)


def test_the_birthdays_of_a_day_are_exactly_those_celebrated_on_it() -> None:
    """`birthdays_on` and `occurrence_in_year` share the one leap-day rule: over eight years (two
    Jalali leap years, two Gregorian ones), every birthday of every calendar is celebrated on exactly
    the days that list it."""
    import jdatetime
    from vafa.calendars import birthdays_on

    jalali_lengths = [31] * 6 + [30] * 6
    gregorian_lengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    every = [("jalali", m, d) for m in range(1, 13) for d in range(1, jalali_lengths[m - 1] + 1)]
    every += [("gregorian", m, d) for m in range(1, 13) for d in range(1, gregorian_lengths[m - 1] + 1)]
    listed: dict[tuple[str, int, int], set[date]] = {}
    day = date(2024, 3, 20)  # 1 Farvardin 1403
    while day < date(2032, 1, 1):
        for birthday in birthdays_on(day):
            listed.setdefault(birthday, set()).add(day)
        day = day.fromordinal(day.toordinal() + 1)
    for calendar, month, mday in every:
        born = Birthday(calendar, 1370 if calendar == "jalali" else 2000, month, mday)  # type: ignore[arg-type]
        years = range(1403, 1410) if calendar == "jalali" else range(2025, 2032)
        expected = {occurrence_in_year(born, year) for year in years}
        assert expected <= listed[(calendar, month, mday)], (calendar, month, mday)
    assert listed[("jalali", 12, 30)] >= {date(2025, 3, 20), date(2026, 3, 20)}  # Esfand 30 / 29
    assert listed[("gregorian", 2, 29)] >= {date(2027, 2, 28), date(2028, 2, 29)}
    assert date(2028, 2, 28) not in listed[("gregorian", 2, 29)]  # 2028 has its own Feb 29
    assert jdatetime.date(1408, 12, 29).togregorian() not in listed[("jalali", 12, 30)]  # 1408 is leap
