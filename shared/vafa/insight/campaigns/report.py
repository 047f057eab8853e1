"""What `GET /v1/campaigns/{id}` answers: the campaign, its audience and its results."""

from __future__ import annotations

import json
from typing import Any

from vafa.insight.metrics.job import outcome_row, outcomes
from vafa.store.models import CampaignItem


def describe(campaign: CampaignItem) -> dict[str, Any]:
    """The campaign as created, and where it stands."""
    return {
        "campaign_id": campaign.campaign_id,
        "name": campaign.name,
        "segment": json.loads(campaign.segment),
        "channel": campaign.channel,
        "template": json.loads(campaign.template),
        "url": campaign.url,
        "send_at": campaign.send_at,
        "status": campaign.status,
        "created_at": campaign.created_at,
        "started_at": campaign.started_at,
        "finished_at": campaign.finished_at,
        "canceled_at": campaign.canceled_at,
    }


def results(
    merchant_id: str, campaign: CampaignItem, counts: dict[str, dict[str, int]] | None = None
) -> dict[str, Any]:
    """Audience, sent, suppressed, clicked, converted, revenue and lift against the holdout."""
    count = (counts if counts is not None else outcomes(merchant_id)).get(
        f"campaign:{campaign.campaign_id}", {}
    )
    row = outcome_row(count)
    audience = int(campaign.audience or 0)
    settled = row["sent"] + row["suppressed"] + row["failed"]
    return {
        **describe(campaign),
        "audience": audience if campaign.status in ("sending", "sent") or audience else None,
        "queued": max(0, int(campaign.decided or 0) - settled),
        **row,
        "holdout": count.get("holdout", 0),
    }
