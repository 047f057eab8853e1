import json
from datetime import UTC, date, datetime

from vafa.messaging.kinds import _birthday_keys
from vafa.messaging.winback import personal_gap_days, win_back_due_at
from vafa.program import Program
from vafa.store.models import CustomerItem


def customer(times: list[str]) -> CustomerItem:
    return CustomerItem(
        "M#m#C#c",
        "PROFILE",
        customer_id="c",
        purchase_times=json.dumps(times),
        last_purchase_at=times[-1] if times else None,
        created_at="",
        updated_at="",
    )


def test_fixed_win_back_is_the_program_days_after_the_last_purchase() -> None:
    due = win_back_due_at(Program(), customer(["2026-01-01T10:00:00Z"]))
    assert due == datetime(2026, 1, 31, 10, tzinfo=UTC)


def test_personal_win_back_follows_the_customers_own_rhythm() -> None:
    weekly = customer(["2026-01-01T10:00:00Z", "2026-01-11T10:00:00Z", "2026-01-21T10:00:00Z"])
    assert personal_gap_days(weekly) == 15  # median gap 10 days x 1.5
    program = Program.model_validate({"reminders": {"win_back_mode": "personal"}})
    assert win_back_due_at(program, weekly) == datetime(2026, 2, 5, 10, tzinfo=UTC)


def test_personal_mode_needs_three_purchases_else_falls_back_to_fixed_days() -> None:
    program = Program.model_validate({"reminders": {"win_back_mode": "personal", "win_back_after_days": 45}})
    two = customer(["2026-01-01T10:00:00Z", "2026-01-03T10:00:00Z"])
    assert personal_gap_days(two) is None
    assert win_back_due_at(program, two) == datetime(2026, 2, 17, 10, tzinfo=UTC)


def test_win_back_off_when_the_setting_is_null() -> None:
    program = Program.model_validate({"reminders": {"win_back_after_days": None}})
    assert win_back_due_at(program, customer(["2026-01-01T10:00:00Z"])) is None


def test_birthday_keys_on_esfand_29_of_a_common_year_include_esfand_30() -> None:
    # 2026-03-20 is Esfand 29 1404; 1404 is a common year, so Esfand 30 birthdays are greeted that day.
    assert "jalali:12-30" in _birthday_keys(date(2026, 3, 20))
    assert "jalali:12-30" not in _birthday_keys(date(2025, 3, 19))  # 1403 is leap: Esfand 30 exists


def test_birthday_keys_on_feb_28_of_a_common_year_include_feb_29() -> None:
    assert "gregorian:02-29" in _birthday_keys(date(2027, 2, 28))
    assert "gregorian:02-29" not in _birthday_keys(date(2028, 2, 28))


def test_a_birthday_run_reads_a_few_narrow_key_ranges_that_hold_its_four_days() -> None:
    from datetime import timedelta

    from vafa.messaging.kinds import BIRTHDAY_LOOKBACK_DAYS, _birthday_ranges

    def ordinal(month_day: str) -> int:
        month, mday = month_day.split("-")
        return int(month) * 31 + int(mday)

    start = date(2024, 1, 1)
    for offset in range(3 * 366):  # every day of three years, year ends and leap days included
        today = start + timedelta(days=offset)
        keys = {
            key
            for back in range(BIRTHDAY_LOOKBACK_DAYS + 1)
            for key in _birthday_keys(today - timedelta(days=back))
        }
        ranges = _birthday_ranges(sorted(keys))
        assert len(ranges) <= 3, (today, ranges)
        for key in keys:
            assert any(low <= key <= high for low, high in ranges), (today, key, ranges)
        for low, high in ranges:
            assert low.split(":")[0] == high.split(":")[0]  # one calendar per range
            assert ordinal(high.split(":")[1]) - ordinal(low.split(":")[1]) <= 40, (today, low, high)
