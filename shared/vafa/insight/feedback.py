"""Feedback customers gave (a 0-10 score and a comment, through the signed link of a feedback ask):
each customer's list for their page, and the totals behind the metrics' NPS.

Feedback is no wallet record, so the metrics job's timeline never sees it. Instead the write that
records a first answer also adds it to that day's totals (`FeedbackStatsItem`, one per merchant and
day, in the same transaction), and `GET /v1/metrics` reads the days of its range in one Query. The
answer itself is listed on GSI1 under the customer (`M#m#FBC#customer`, by time). Answers recorded
before this version carry neither (they are neither counted nor listed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from vafa.store import keys as k
from vafa.store.models import FeedbackItem, FeedbackStatsItem
from vafa.store.table import connection, ensure_configured
from vafa.wallet.store import batch_get

STATS_PREFIX = "FBSTATS#"
CURSOR_PREFIX = "FB#"


def customer_feedback_key(merchant_id: str, customer_id: str) -> str:
    return f"M#{merchant_id}#FBC#{customer_id}"


def band(score: int) -> str:
    """NPS bands: promoters 9-10, passives 7-8, detractors 0-6."""
    return "promoters" if score >= 9 else "passives" if score >= 7 else "detractors"


def save_first(merchant_id: str, item: FeedbackItem) -> bool:
    """Record a first answer with its day's totals, at once; False when the order was answered before
    (then nothing is written: the first answer counts)."""
    ensure_configured()
    item.GSI1PK = customer_feedback_key(merchant_id, item.customer_id)
    item.GSI1SK = f"{item.at}#{item.order_id}"
    score = int(item.score)
    stats = FeedbackStatsItem(k.merchant_pk(merchant_id), STATS_PREFIX + item.at[:10])
    fields = {
        "answers": 1,
        "score_sum": score,
        band(score): 1,
        "comments": 1 if (item.comment or "").strip() else 0,
    }
    actions = [getattr(FeedbackStatsItem, name).add(n) for name, n in fields.items() if n]
    actions.append(FeedbackStatsItem.kind.set(FeedbackStatsItem))
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(item, condition=FeedbackItem.PK.does_not_exist())
            tx.update(stats, actions)
    except TransactWriteError as exc:
        reasons = [getattr(r, "code", None) for r in (exc.cancellation_reasons or []) if r]
        if "ConditionalCheckFailed" in reasons:
            return False
        raise
    return True


def for_customer(
    merchant_id: str, customer_id: str, limit: int, after: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The customer's answers newest first; the cursor is the last one's index key."""
    ensure_configured()
    below = after.removeprefix(CURSOR_PREFIX) if after else None
    condition = FeedbackItem.GSI1SK < below if below else None
    listed = list(
        FeedbackItem.customer_index.query(
            customer_feedback_key(merchant_id, customer_id),
            condition,
            scan_index_forward=False,
            limit=limit + 1,
            page_size=limit + 1,
        )
    )
    page = listed[:limit]
    found = batch_get([(item.PK, item.SK) for item in page])
    rows = []
    for listed_item in page:
        item = found.get((listed_item.PK, listed_item.SK))
        if isinstance(item, FeedbackItem):
            rows.append(
                {"order_id": item.order_id, "score": int(item.score), "comment": item.comment, "at": item.at}
            )
    more = len(listed) > limit
    return rows, (CURSOR_PREFIX + str(page[-1].GSI1SK)) if more and page else None


def summary(merchant_id: str, start: date, end: date) -> dict[str, Any]:
    """Answers recorded from `start` to `end` (days, UTC): count, average score, NPS (percent
    promoters minus percent detractors, -100..100, whole number rounded), the bands and how many
    carried a comment. `average` and `nps` are null without answers."""
    ensure_configured()
    totals = dict.fromkeys(("answers", "score_sum", "promoters", "passives", "detractors", "comments"), 0)
    days = FeedbackStatsItem.query(
        k.merchant_pk(merchant_id),
        FeedbackStatsItem.SK.between(STATS_PREFIX + start.isoformat(), STATS_PREFIX + end.isoformat()),
    )
    for day in days:
        if isinstance(day, FeedbackStatsItem):
            for name in totals:
                totals[name] += int(getattr(day, name) or 0)
    count = totals["answers"]
    return {
        "count": count,
        "average": round(totals["score_sum"] / count, 2) if count else None,
        "nps": round(100 * (totals["promoters"] - totals["detractors"]) / count) if count else None,
        "promoters": totals["promoters"],
        "passives": totals["passives"],
        "detractors": totals["detractors"],
        "comments": totals["comments"],
    }
