"""Delivery policy, pure: quiet hours, holdout, the weekly cap and channel choice.

Marketing kinds need the customer's marketing consent on the channel and count toward the weekly
cap. The expiry reminder is about the customer's own wallet, but it still nudges a purchase, so it
is treated as marketing too: Iranian operators treat any SMS that invites a purchase as
promotional, and a customer who said no should hear nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

MARKETING_KINDS = frozenset(
    {"expiry_reminder", "win_back", "birthday", "abandoned_cart", "feedback_request", "campaign"}
)
TRANSACTIONAL_KINDS = frozenset({"purchase_thanks"})
WEEK = timedelta(days=7)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_hours_release(at: datetime, tz: str, start: str, end: str) -> datetime | None:
    """None when `at` is outside quiet hours; otherwise the moment they end (aware, same zone as `at`)."""
    begin, finish = _clock(start), _clock(end)
    if begin == finish:
        return None
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    now = local.time()
    crosses_midnight = begin > finish
    quiet = (now >= begin or now < finish) if crosses_midnight else (begin <= now < finish)
    if not quiet:
        return None
    release_day = local.date()
    if crosses_midnight and now >= begin:
        release_day += timedelta(days=1)
    release = datetime.combine(release_day, finish, tzinfo=zone)
    return release.astimezone(at.tzinfo)


def in_holdout(merchant_id: str, customer_id: str, percent: int) -> bool:
    """Deterministic: the same customer is always in (or out of) the holdout group."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"holdout|{merchant_id}|{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < percent


def cap_reached(sent_times: Sequence[datetime], at: datetime, limit: int) -> bool:
    """Rolling seven days (7 x 24 h before `at`): a calendar week would allow bursts at its edges."""
    recent = sum(1 for sent in sent_times if at - WEEK < sent <= at)
    return recent >= limit


def choose_channel(
    channel_order: Iterable[str],
    consent: Mapping[str, bool],
    reachable: Mapping[str, bool],
    exclude: Iterable[str] = (),
) -> str | None:
    """The first channel in the program's order the customer consented to and can be reached on."""
    skipped = set(exclude)
    for channel in channel_order:
        if channel not in skipped and consent.get(channel) and reachable.get(channel):
            return channel
    return None
