"""Sending due campaigns from the reminders run: the segment is read page by page, each customer decided once.

A big audience is worked through over several runs: after each page the campaign records where it got
to, together with the audience counted so far, in one conditional write. A run that dies mid-page
repeats that page next time; the decisions' dedupe keys make the repeat send nothing twice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from vafa.insight.segments.audience import cycle_days, read_page
from vafa.insight.segments.definition import SegmentDef
from vafa.messaging.candidate import Candidate
from vafa.messaging.due import due_items, full
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import CampaignItem, CustomerItem
from vafa.timeutil import iso

Emit = Callable[[CustomerItem, Candidate], object]
Flush = Callable[[], object]


def run_budget() -> int:
    """Customers one reminders run reads for campaigns, per merchant; the rest waits for the next run."""
    return int(os.environ.get("VAFA_CAMPAIGN_BUDGET", "5000"))


def candidate_for(campaign: CampaignItem, customer: CustomerItem) -> Candidate:
    return Candidate(
        kind="campaign",
        dedupe_key=f"campaign:{campaign.campaign_id}:{customer.customer_id}",
        ref=campaign.campaign_id,
        values={"balance": int(customer.balance or 0)},
        target_url=campaign.url,
        campaign_id=campaign.campaign_id,
        template=json.loads(campaign.template),
        channel=campaign.channel,
    )


def _profiles(merchant_id: str, customer_ids: list[str]) -> dict[str, CustomerItem]:
    """The profiles of a page's matching members in BatchGetItem calls (PynamoDB pages them by 100)."""
    keys = [(k.customer_pk(merchant_id, c), k.PROFILE) for c in dict.fromkeys(customer_ids)]
    return {item.customer_id: item for item in CustomerItem.batch_get(keys)}


def send_some(
    merchant_id: str,
    program: Program,
    campaign: CampaignItem,
    now: datetime,
    emit: Emit,
    budget: int,
    flush: Flush,
) -> int:
    """Work through the audience until done or `budget` customers were read; returns customers read.

    `emit` may only collect; `flush` decides what it collected, and is called before the cursor moves
    past a page, so a run that dies later repeats no page it has not decided."""
    segment = SegmentDef.model_validate(json.loads(campaign.segment))
    cycle = cycle_days(program)
    cursor: dict[str, Any] = json.loads(campaign.cursor) if campaign.cursor else {"shard": 0, "key": None}
    read = 0
    try:
        if campaign.status == "scheduled":
            campaign.update(
                actions=[CampaignItem.status.set("sending"), CampaignItem.started_at.set(iso(now))]
            )
        while cursor["shard"] < k.MEMBER_SHARDS and read < budget:
            page = read_page(merchant_id, cursor["shard"], cursor["key"], limit=min(500, budget - read))
            read += len(page.members)
            wanted = [m.customer_id for m in page.members if segment.matches(m, now, cycle)]
            profiles = _profiles(merchant_id, wanted) if wanted else {}
            matched = 0
            for customer_id in wanted:
                customer = profiles.get(customer_id)
                if customer is None:
                    continue
                matched += 1
                emit(customer, candidate_for(campaign, customer))
            flush()
            cursor = (
                {"shard": page.shard, "key": page.next_key}
                if page.next_key
                else {"shard": page.shard + 1, "key": None}
            )
            actions: list[Action] = [
                CampaignItem.audience.add(matched),
                CampaignItem.decided.add(matched),
                CampaignItem.cursor.set(json.dumps(cursor)),
            ]
            if cursor["shard"] >= k.MEMBER_SHARDS:
                actions += [
                    CampaignItem.status.set("sent"),
                    CampaignItem.finished_at.set(iso(now)),
                    CampaignItem.DuePK.remove(),
                    CampaignItem.DueSK.remove(),
                ]
            campaign.update(actions=actions)
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        # Another run moved this campaign on (or it was cancelled) meanwhile; it carries on from there.
    return read


def dispatch_due(merchant_id: str, program: Program, now: datetime, emit: Emit, flush: Flush) -> int:
    """Campaigns whose send time has come, oldest first, within this run's budget."""
    budget = run_budget()
    read = 0
    for entry in due_items(merchant_id, "campaign", now):
        campaign = full(entry)
        if not isinstance(campaign, CampaignItem) or campaign.status not in ("scheduled", "sending"):
            continue
        read += send_some(merchant_id, program, campaign, now, emit, budget - read, flush)
        if read >= budget:
            break
    return read
