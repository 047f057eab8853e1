"""RFM scores, named segments and segment filters, on customers built by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from vafa.errors import ValidationFailed
from vafa.insight.segments.definition import birthday_month, parse_segment
from vafa.insight.segments.rfm import SEGMENTS, Member, MonetaryScale, recency_score, segment_of

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def member(count: int, last_days: int | None, first_days: int | None = None, **extra: object) -> Member:
    def ago(days: int | None) -> str | None:
        return None if days is None else (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    first = first_days if first_days is not None else last_days
    return Member("c", count, 1000 * count, ago(first), ago(last_days), **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("count", "last", "first", "expected"),
    [
        (0, None, None, "prospects"),
        (1, 3, 3, "new"),
        (1, 40, 40, "needs_attention"),
        (2, 10, 60, "promising"),
        (4, 10, 200, "champions"),
        (6, 25, 300, "champions"),
        (3, 50, 300, "loyal"),
        (5, 100, 400, "at_risk"),
        (3, 200, 400, "at_risk"),
        (2, 100, 130, "hibernating"),
        (1, 90, 90, "hibernating"),
        (1, 121, 121, "lost"),
        (2, 365, 400, "lost"),
    ],
)
def test_named_segments_follow_recency_and_frequency(
    count: int, last: int, first: int, expected: str
) -> None:
    assert segment_of(member(count, last, first), NOW, 30) == expected
    assert expected in SEGMENTS


def test_recency_bands_scale_with_the_shops_cycle() -> None:
    ninety_days = member(2, 90)
    assert recency_score(ninety_days, NOW, 30) == 2
    assert recency_score(ninety_days, NOW, 120) == 4  # a shop people visit every four months


def test_monetary_quintiles_rank_among_buyers() -> None:
    scale = MonetaryScale([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
    assert [scale.score(v, 1) for v in (100, 300, 500, 700, 1000)] == [1, 2, 3, 4, 5]
    assert scale.score(1000, 0) == 0


def test_birthday_month_is_read_in_the_calendar_asked_for() -> None:
    jalali = member(1, 3, birthday={"calendar": "jalali", "date": "1370-12-29"})
    gregorian = member(1, 3, birthday={"calendar": "gregorian", "date": "1990-03-20"})
    assert birthday_month(jalali, "jalali", NOW) == 12
    assert birthday_month(gregorian, "jalali", NOW) == 12  # 20 March falls in Esfand
    assert birthday_month(jalali, "gregorian", NOW) == 3
    assert birthday_month(member(1, 3), "jalali", NOW) is None
    segment = parse_segment({"birthday_month": 12})
    assert segment.matches(gregorian, NOW, 30) and not segment.matches(member(1, 3), NOW, 30)


def test_filters_combine_and_dates_accept_a_plain_day() -> None:
    segment = parse_segment({"name": "champions", "last_purchase_after": "2026-11-01", "consent": "sms"})
    champion = member(5, 5, 200, consent={"sms": True})
    assert segment.matches(champion, NOW, 30)
    assert not segment.matches(member(5, 5, 200, consent={"sms": False}), NOW, 30)
    assert not segment.matches(member(5, 25, 200, consent={"sms": True}), NOW, 30)


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("gold", "segment.name"),
        ({"max_balance": 1.5}, "segment.max_balance"),
        ({"birthday_month": 13}, "segment.birthday_month"),
        ({"last_purchase_before": "2026-02-30"}, "segment.last_purchase_before"),
        ([], "segment"),
    ],
)
def test_bad_segments_name_the_field(value: object, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_segment(value)
    assert caught.value.field == field
