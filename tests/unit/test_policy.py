import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vafa.messaging.policy import (
    MARKETING_KINDS,
    TRANSACTIONAL_KINDS,
    ChannelChoice,
    cap_reached,
    cap_window,
    choose_channel,
    explain_channel,
    holdout_bucket,
    in_holdout,
    is_marketing,
    quiet_hours_release,
)
from vafa.messaging.templates import KINDS

TEHRAN = "Asia/Tehran"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- kinds ----------------------------------------------------------------------------------------


def test_every_kind_is_either_marketing_or_transactional() -> None:
    assert MARKETING_KINDS.isdisjoint(TRANSACTIONAL_KINDS)
    assert MARKETING_KINDS | TRANSACTIONAL_KINDS == set(KINDS)


def test_only_the_purchase_receipt_is_transactional() -> None:
    assert TRANSACTIONAL_KINDS == {"purchase_thanks"}
    assert is_marketing("expiry_reminder") and is_marketing("feedback_request")
    assert not is_marketing("purchase_thanks")
    assert is_marketing("something_new")  # unknown kinds take the safe side


# --- quiet hours ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "start", "end", "release"),
    [
        # Tehran is UTC+03:30 all year: 19:30Z is 23:00 there, 05:30Z is 09:00.
        (utc(2026, 11, 22, 19, 30), "21:00", "09:00", utc(2026, 11, 23, 5, 30)),
        (utc(2026, 11, 22, 17, 30), "21:00", "09:00", utc(2026, 11, 23, 5, 30)),  # 21:00 exactly: quiet
        (utc(2026, 11, 22, 17, 29), "21:00", "09:00", None),  # 20:59
        (utc(2026, 11, 22, 20, 30), "21:00", "09:00", utc(2026, 11, 23, 5, 30)),  # midnight
        (utc(2026, 11, 23, 5, 29, 59), "21:00", "09:00", utc(2026, 11, 23, 5, 30)),  # 08:59:59
        (utc(2026, 11, 23, 5, 30), "21:00", "09:00", None),  # 09:00 exactly: over
        (utc(2026, 11, 23, 10, 0), "21:00", "09:00", None),  # 13:30
        (utc(2026, 6, 1, 19, 30), "21:00", "09:00", utc(2026, 6, 2, 5, 30)),  # no summer time any more
        # A window inside one day.
        (utc(2026, 11, 23, 10, 0), "13:00", "15:00", utc(2026, 11, 23, 11, 30)),
        (utc(2026, 11, 23, 11, 30), "13:00", "15:00", None),
        (utc(2026, 11, 23, 9, 29), "13:00", "15:00", None),
        # Equal start and end: no quiet hours at all.
        (utc(2026, 11, 22, 19, 30), "21:00", "21:00", None),
    ],
)
def test_quiet_hours_in_tehran(at: datetime, start: str, end: str, release: datetime | None) -> None:
    assert quiet_hours_release(at, TEHRAN, start, end) == release


def test_release_is_utc_even_when_at_is_given_in_another_zone() -> None:
    at = datetime(2026, 11, 22, 23, 0, tzinfo=ZoneInfo(TEHRAN))
    release = quiet_hours_release(at, TEHRAN, "21:00", "09:00")
    assert release == utc(2026, 11, 23, 5, 30) and release.tzinfo is UTC


def test_quiet_hours_follow_the_merchants_timezone_not_utc() -> None:
    at = utc(2026, 11, 22, 22, 0)  # 22:00 UTC, 23:00 in Berlin, 01:30 in Tehran, 17:00 in New York
    assert quiet_hours_release(at, "Europe/Berlin", "21:00", "09:00") == utc(2026, 11, 23, 8, 0)
    assert quiet_hours_release(at, "America/New_York", "21:00", "09:00") is None


def test_quiet_hours_reject_naive_times_and_bad_clocks() -> None:
    with pytest.raises(ValueError):
        quiet_hours_release(datetime(2026, 11, 22, 23, 0), TEHRAN, "21:00", "09:00")
    for bad in ("9:00", "24:00", "21:60", "۲۱:۰۰", "2100", "ab:cd"):
        with pytest.raises(ValueError):
            quiet_hours_release(utc(2026, 11, 22), TEHRAN, bad, "09:00")


def test_quiet_hours_across_dst_changes() -> None:
    # Berlin springs forward at 02:00 on 29 Mar 2026: an end of 02:30 does not exist that night.
    release = quiet_hours_release(utc(2026, 3, 29, 0, 30), "Europe/Berlin", "01:00", "02:30")
    assert release == utc(2026, 3, 29, 1, 30)  # 03:30 CEST, the first whole hour after the gap
    # New York falls back at 02:00 on 1 Nov 2026: 01:00-01:30 happens twice, each pass has its end.
    assert quiet_hours_release(utc(2026, 11, 1, 5, 15), "America/New_York", "01:00", "01:30") == utc(
        2026, 11, 1, 5, 30
    )
    assert quiet_hours_release(utc(2026, 11, 1, 6, 15), "America/New_York", "01:00", "01:30") == utc(
        2026, 11, 1, 6, 30
    )
    # A window of nearly a day whose only open quarter hour the gap removes: wait for the next one.
    release = quiet_hours_release(utc(2026, 3, 28, 20, 0), "Europe/Berlin", "02:15", "02:00")
    assert release == utc(2026, 3, 30, 0, 0)  # 02:00 CEST on 30 Mar


ZONES = ["Asia/Tehran", "UTC", "Asia/Kolkata", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
WITHOUT_DST = {"Asia/Tehran", "UTC", "Asia/Kolkata"}
clock = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))
instant = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))


@settings(max_examples=300)
@given(instant, st.sampled_from(ZONES), clock, clock)
def test_release_is_outside_quiet_hours_and_within_a_day(at: datetime, tz: str, start: str, end: str) -> None:
    release = quiet_hours_release(at, tz, start, end)
    if release is None:
        return
    assert release.tzinfo is UTC
    # A DST gap can swallow a nearly-24-hour window's only open minutes: then the next night counts too.
    assert at < release <= at + timedelta(hours=24 if tz in WITHOUT_DST else 48)
    assert quiet_hours_release(release, tz, start, end) is None
    if tz in WITHOUT_DST:
        # The earliest such moment: a minute earlier it is still quiet.
        assert quiet_hours_release(release - timedelta(minutes=1), tz, start, end) == release


@given(instant, clock)
def test_equal_start_and_end_are_never_quiet(at: datetime, start: str) -> None:
    assert quiet_hours_release(at, TEHRAN, start, start) is None


# --- holdout --------------------------------------------------------------------------------------


def test_holdout_buckets_are_pinned() -> None:
    # Recorded once: if these move, every merchant's holdout group silently reshuffles.
    assert [holdout_bucket("m1", f"c{i}") for i in range(5)] == [81, 27, 3, 83, 20]
    assert holdout_bucket("shop-a", "customer-42") == 27


def test_holdout_is_the_same_in_another_process_with_another_hash_seed() -> None:
    code = (
        "from vafa.messaging.policy import holdout_bucket as b; print([b('m1', f'c{i}') for i in range(5)])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[81, 27, 3, 83, 20]"


def test_holdout_edges() -> None:
    ids = [f"c{i}" for i in range(500)]
    assert not any(in_holdout("m", c, 0) for c in ids)
    assert all(in_holdout("m", c, 100) for c in ids)
    assert not any(in_holdout("m", c, -5) for c in ids)
    assert all(in_holdout("m", c, 150) for c in ids)


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=20), st.integers(0, 100))
def test_holdout_percent_p_holds_out_about_p_percent(merchant: str, percent: int) -> None:
    held = sum(in_holdout(merchant, f"customer-{i}", percent) for i in range(10_000))
    # Binomial spread is at most 0.5 percentage points; 2 points is four of those.
    assert abs(held / 100 - percent) <= 2


@given(st.text(max_size=10), st.text(max_size=10), st.integers(0, 100), st.integers(0, 100))
def test_a_larger_holdout_contains_the_smaller_one(merchant: str, customer: str, p: int, q: int) -> None:
    low, high = sorted((p, q))
    if in_holdout(merchant, customer, low):
        assert in_holdout(merchant, customer, high)


def test_merchants_get_independent_holdout_groups() -> None:
    ids = [f"c{i}" for i in range(10_000)]
    a = {c for c in ids if in_holdout("merchant-a", c, 50)}
    b = {c for c in ids if in_holdout("merchant-b", c, 50)}
    assert 0.22 <= len(a & b) / len(ids) <= 0.28  # about 50% x 50%


# --- weekly cap -----------------------------------------------------------------------------------

NOW = utc(2026, 11, 22, 10, 0)


def test_cap_window_is_seven_times_24_hours() -> None:
    assert cap_window(NOW) == (utc(2026, 11, 15, 10, 0), NOW)


@pytest.mark.parametrize(
    ("ago_hours", "limit", "reached"),
    [
        ([24, 48, 167], 3, True),
        ([24, 48, 168], 3, False),  # exactly seven days ago has left the window
        ([24, 48], 3, False),
        ([24, 48, 200, 300], 3, False),
        ([], 1, False),
        ([1], 1, True),
        ([], 0, True),  # a limit of 0 allows no marketing at all
        ([-10], 1, True),  # a send already scheduled for later counts
    ],
)
def test_cap_reached(ago_hours: list[int], limit: int, reached: bool) -> None:
    sent = [NOW - timedelta(hours=h) for h in ago_hours]
    assert cap_reached(sent, NOW, limit) is reached


def test_cap_compares_instants_not_wall_clocks() -> None:
    sent = [datetime(2026, 11, 15, 13, 31, tzinfo=ZoneInfo(TEHRAN))]  # 10:01Z, 6 days 23:59 ago
    assert cap_reached(sent, NOW, 1)


def test_cap_rejects_naive_times() -> None:
    with pytest.raises(ValueError):
        cap_reached([datetime(2026, 11, 21)], NOW, 3)


@given(
    st.lists(st.integers(0, 60 * 24 * 40), max_size=60),  # decision times, minutes into 40 days
    st.integers(1, 5),
)
def test_sending_whenever_the_cap_allows_never_exceeds_it_in_any_seven_days(
    minutes: list[int], limit: int
) -> None:
    start = utc(2026, 1, 1)
    sent: list[datetime] = []
    for m in sorted(minutes):
        at = start + timedelta(minutes=m)
        if not cap_reached(sent, at, limit):
            sent.append(at)
    for end in sent:
        assert sum(1 for s in sent if end - timedelta(days=7) < s <= end) <= limit


# --- channel choice -------------------------------------------------------------------------------

ORDER = ["push", "sms", "email"]
ALL = {"push": True, "sms": True, "email": True}
NONE = {"push": False, "sms": False, "email": False}


@pytest.mark.parametrize(
    ("order", "consent", "reachable", "exclude", "choice"),
    [
        (ORDER, ALL, ALL, (), ChannelChoice("push")),
        (["email", "sms"], ALL, ALL, (), ChannelChoice("email")),
        (ORDER, {"sms": True}, ALL, (), ChannelChoice("sms")),
        (ORDER, ALL, {"email": True}, (), ChannelChoice("email")),
        (ORDER, ALL, ALL, ("push",), ChannelChoice("sms")),
        (ORDER, NONE, ALL, (), ChannelChoice(None, "no_consent")),
        (ORDER, {}, {}, (), ChannelChoice(None, "no_consent")),
        (ORDER, {"push": True}, {"sms": True, "email": True}, (), ChannelChoice(None, "unreachable")),
        (ORDER, {"sms": True, "email": True}, {"push": True}, (), ChannelChoice(None, "unreachable")),
        # Consent on a channel already tried does not make the rest "unreachable".
        (ORDER, {"push": True}, ALL, ("push",), ChannelChoice(None, "no_consent")),
        (ORDER, ALL, ALL, ORDER, ChannelChoice(None, "no_channel")),
        ([], ALL, ALL, (), ChannelChoice(None, "no_channel")),
        (["sms", "sms", "email"], {"email": True}, ALL, (), ChannelChoice("email")),
    ],
)
def test_explain_channel(
    order: list[str],
    consent: dict[str, bool],
    reachable: dict[str, bool],
    exclude: tuple[str, ...],
    choice: ChannelChoice,
) -> None:
    assert explain_channel(order, consent, reachable, exclude) == choice
    assert choose_channel(order, consent, reachable, exclude) == choice.channel


channels = st.sampled_from(["push", "sms", "email"])
flags = st.dictionaries(channels, st.booleans())


@given(st.lists(channels, unique=True), flags, flags, st.lists(channels, max_size=2))
def test_a_chosen_channel_always_has_consent_and_reach(
    order: list[str], consent: dict[str, bool], reachable: dict[str, bool], exclude: list[str]
) -> None:
    choice = explain_channel(order, consent, reachable, exclude)
    if choice.channel is None:
        assert choice.reason in ("no_consent", "unreachable", "no_channel")
        assert not any(consent.get(c) and reachable.get(c) for c in order if c not in exclude)
    else:
        assert choice.reason is None and choice.channel not in exclude
        assert consent[choice.channel] and reachable[choice.channel]
