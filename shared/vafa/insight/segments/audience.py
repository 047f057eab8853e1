"""Reading a merchant's customers through the sharded member index, page by page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vafa.insight.segments.definition import SegmentDef
from vafa.insight.segments.rfm import (
    DEFAULT_CYCLE_DAYS,
    SEGMENTS,
    Member,
    MonetaryScale,
    frequency_score,
    recency_score,
    segment_of,
)
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import CustomerItem
from vafa.store.table import ensure_configured
from vafa.timeutil import iso

PAGE = 500


def cycle_days(program: Program) -> int:
    return program.reminders.win_back_after_days or DEFAULT_CYCLE_DAYS


def _plain(value: Any) -> Any:
    if value is None:
        return None
    return dict(value.as_dict() if hasattr(value, "as_dict") else value)


def member_of(item: CustomerItem) -> Member:
    return Member(
        customer_id=str(item.customer_id or item.MemberSK),
        purchases_count=int(item.purchases_count or 0),
        total_spent=int(item.total_spent or 0),
        first_purchase_at=item.first_purchase_at,
        last_purchase_at=item.last_purchase_at,
        balance=int(item.balance or 0),
        birthday=_plain(item.birthday),
        consent=_plain(item.consent),
        created_at=item.created_at,
    )


@dataclass
class Page:
    members: list[Member]
    shard: int
    next_key: dict[str, Any] | None  # None: this shard is done


def read_page(merchant_id: str, shard: int, start_key: dict[str, Any] | None, limit: int = PAGE) -> Page:
    """One page of one shard; pass `next_key` back to continue.

    The index lists who the members are; their figures (which change with every purchase, and so
    are kept out of the index's projection) come from their profiles, read in batches of 100
    (eventually consistent: half a read unit per profile)."""
    ensure_configured()
    result = CustomerItem.member_index.query(
        k.member_pks(merchant_id)[shard], limit=limit, last_evaluated_key=start_key, page_size=limit
    )
    keys = [(item.PK, item.SK) for item in result if isinstance(item, CustomerItem)]
    profiles = {(p.PK, p.SK): p for p in CustomerItem.batch_get(keys)} if keys else {}
    members = [member_of(profiles[key]) for key in keys if key in profiles]
    return Page(members, shard, result.last_evaluated_key)


def all_members(merchant_id: str) -> Iterator[Member]:
    for shard in range(k.MEMBER_SHARDS):
        key: dict[str, Any] | None = None
        while True:
            page = read_page(merchant_id, shard, key)
            yield from page.members
            if page.next_key is None:
                break
            key = page.next_key


def preview(merchant_id: str, program: Program, segment: SegmentDef, now: datetime) -> dict[str, Any]:
    """How many customers the segment holds now, and how many of them each channel may reach."""
    cycle = cycle_days(program)
    size = 0
    consent: Counter[str] = Counter()
    named: Counter[str] = Counter()
    for member in all_members(merchant_id):
        if segment.matches(member, now, cycle):
            size += 1
            named[segment_of(member, now, cycle)] += 1
            for channel, given in (member.consent or {}).items():
                if given:
                    consent[channel] += 1
    return {
        "segment": segment.as_json(),
        "size": size,
        "with_consent": {ch: consent.get(ch, 0) for ch in ("sms", "email", "push")},
        "by_segment": {name: named[name] for name in SEGMENTS if named.get(name)},
        "as_of": iso(now),
    }


def overview(merchant_id: str, program: Program, now: datetime) -> dict[str, Any]:
    """Every named segment with its size, and the spread of R, F and M scores."""
    cycle = cycle_days(program)
    members = list(all_members(merchant_id))
    scale = MonetaryScale([m.total_spent for m in members if m.purchases_count > 0])
    sizes: Counter[str] = Counter()
    scores: dict[str, Counter[int]] = {"recency": Counter(), "frequency": Counter(), "monetary": Counter()}
    for member in members:
        sizes[segment_of(member, now, cycle)] += 1
        if member.purchases_count > 0:
            scores["recency"][recency_score(member, now, cycle)] += 1
            scores["frequency"][frequency_score(member)] += 1
            scores["monetary"][scale.score(member.total_spent, member.purchases_count)] += 1
    return {
        "customers": len(members),
        "cycle_days": cycle,
        "items": [
            {"name": name, "size": sizes.get(name, 0), "description": text} for name, text in SEGMENTS.items()
        ],
        "scores": {
            axis: {str(score): counts.get(score, 0) for score in range(1, 6)}
            for axis, counts in scores.items()
        },
        "as_of": iso(now),
    }
