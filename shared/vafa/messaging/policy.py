"""Delivery policy, pure: which kinds are marketing, quiet hours, holdout, the weekly cap, channel choice.

Marketing or transactional. A message is transactional only when the customer's own action asked
for it and it carries no invitation to buy: `purchase_thanks` (a receipt of the order and of the
cashback it earned). Everything else is marketing:
- `campaign`, `win_back`, `abandoned_cart`, `browse_abandoned` and `birthday` (which announces a gift
  to spend) sell.
- `expiry_reminder` is information about the customer's own wallet, but its whole point is to bring
  a purchase before the credit lapses. Iranian operators judge an SMS by its content, not by its
  sender's intentions, and a text that invites a purchase goes over an advertising line with the
  `لغو ۱۱` opt-out, only to subscribers who did not refuse ads. So it needs consent and counts.
- `feedback_request` sells nothing, but it is unsolicited and the customer did not ask for it;
  treating it as marketing keeps "no" meaning no and keeps the weekly total honest.
Marketing kinds need marketing consent on the channel, count toward the weekly cap, wait out quiet
hours and carry the opt-out line on SMS. A kind this module does not know is treated as marketing,
the safe side. Transactional messages skip the cap and quiet hours and must never carry an ad.

The frequency cap is a rolling window of 7 x 24 hours before the moment of sending, not a calendar
week: a calendar week lets a merchant send `limit` messages on its last day and `limit` more on the
next day. Sends scheduled for later (deferred by quiet hours) count as soon as they are decided.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

MARKETING_KINDS = frozenset(
    {
        "expiry_reminder",
        "win_back",
        "birthday",
        "abandoned_cart",
        "browse_abandoned",
        "feedback_request",
        "campaign",
    }
)
TRANSACTIONAL_KINDS = frozenset({"purchase_thanks"})
CAP_WINDOW = timedelta(days=7)
HOLDOUT_BUCKETS = 100

NoChannelReason = Literal["no_consent", "unreachable", "no_channel"]


def is_marketing(kind: str) -> bool:
    """Whether the kind needs marketing consent, counts toward the cap and waits out quiet hours."""
    return kind not in TRANSACTIONAL_KINDS


def parse_clock(text: str) -> time:
    """`HH:MM` (24-hour) as a time; anything else is a ValueError."""
    hours, sep, minutes = text.partition(":")
    if not (sep and len(hours) == 2 and len(minutes) == 2 and (hours + minutes).isascii()):
        raise ValueError(f"not an HH:MM time: {text!r}")
    if not (hours.isdigit() and minutes.isdigit()):
        raise ValueError(f"not an HH:MM time: {text!r}")
    return time(int(hours), int(minutes))


def _aware(at: datetime, name: str = "at") -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return at


def _quiet_until(at: datetime, zone: ZoneInfo, begin: time, finish: time) -> datetime | None:
    local = at.astimezone(zone)
    now = local.time().replace(tzinfo=None)
    if begin < finish:
        quiet, release_day = begin <= now < finish, local.date()
    elif now >= begin:
        quiet, release_day = True, local.date() + timedelta(days=1)
    else:
        quiet, release_day = now < finish, local.date()
    if not quiet:
        return None
    release = datetime.combine(release_day, finish, tzinfo=zone)
    if release <= at:
        # The end falls in an hour a DST change repeats, and `at` is already in its second pass.
        release = release.replace(fold=1)
    return release.astimezone(UTC)


def quiet_hours_release(at: datetime, tz: str, start: str, end: str) -> datetime | None:
    """None when `at` is outside the quiet hours [start, end) in `tz`, else when they end (aware UTC).

    Windows may cross midnight (`21:00`-`09:00`); equal start and end means no quiet hours."""
    begin, finish = parse_clock(start), parse_clock(end)
    if begin == finish:
        return None
    zone = ZoneInfo(tz)
    release = _quiet_until(_aware(at), zone, begin, finish)
    # The release is within 24 hours except here: where a DST change skips the end's wall time, the moment after the gap can already be inside
    # the next night's window (only for windows of nearly a day); then wait that one out as well.
    for _ in range(3):
        later = None if release is None else _quiet_until(release, zone, begin, finish)
        if later is None:
            break
        release = later
    return release


def holdout_bucket(merchant_id: str, customer_id: str) -> int:
    """The customer's fixed bucket 0..99 within the merchant, from SHA-256 (same in every process)."""
    # Length-prefixing keeps ("ab", "c") and ("a", "bc") apart.
    key = f"vafa-holdout:{len(merchant_id)}:{merchant_id}:{customer_id}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % HOLDOUT_BUCKETS


def in_holdout(merchant_id: str, customer_id: str, percent: int) -> bool:
    """Whether the customer belongs to the merchant's holdout group of `percent`% (receives nothing)."""
    return holdout_bucket(merchant_id, customer_id) < max(0, min(percent, HOLDOUT_BUCKETS))


def cap_window(at: datetime) -> tuple[datetime, datetime]:
    """The rolling window the cap looks at: (at - 7 x 24 h, at], in UTC."""
    end = _aware(at).astimezone(UTC)
    return end - CAP_WINDOW, end


def cap_reached(sent_times: Sequence[datetime], at: datetime, limit: int) -> bool:
    """Whether `limit` marketing messages were already sent (or scheduled) within 7 x 24 h before `at`.

    A limit of 0 allows no marketing message at all.
    """
    window_start, _ = cap_window(at)
    recent = sum(1 for sent in sent_times if _aware(sent, "sent time") > window_start)
    return recent >= limit


@dataclass(frozen=True)
class ChannelChoice:
    """The chosen channel, or None with the reason nothing could be chosen."""

    channel: str | None
    reason: NoChannelReason | None = None


def explain_channel(
    channel_order: Iterable[str],
    consent: Mapping[str, bool],
    reachable: Mapping[str, bool],
    exclude: Iterable[str] = (),
) -> ChannelChoice:
    """The first channel in order with consent and reach, or why none: `no_consent` (no candidate has
    consent), `unreachable` (consent but no reach), `no_channel` (nothing left once `exclude`d)."""
    skipped = set(exclude)
    candidates = [ch for ch in dict.fromkeys(channel_order) if ch not in skipped]
    for channel in candidates:
        if consent.get(channel) and reachable.get(channel):
            return ChannelChoice(channel)
    if not candidates:
        return ChannelChoice(None, "no_channel")
    if any(consent.get(channel) for channel in candidates):
        return ChannelChoice(None, "unreachable")
    return ChannelChoice(None, "no_consent")


def choose_channel(
    channel_order: Iterable[str],
    consent: Mapping[str, bool],
    reachable: Mapping[str, bool],
    exclude: Iterable[str] = (),
) -> str | None:
    """The first channel in the program's order the customer consented to and can be reached on."""
    return explain_channel(channel_order, consent, reachable, exclude).channel
