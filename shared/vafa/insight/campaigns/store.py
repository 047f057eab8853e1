"""Creating, reading, listing and cancelling campaigns (idempotent on the campaign id)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from vafa.errors import Conflict, IdempotencyConflict, NotFound
from vafa.insight.segments.definition import SegmentDef
from vafa.store import keys as k
from vafa.store.models import CampaignItem, Item
from vafa.store.table import ensure_configured
from vafa.timeutil import iso
from vafa.wallet.idempotency import request_hash


@dataclass(frozen=True)
class CampaignRequest:
    campaign_id: str
    name: str
    segment: SegmentDef
    template: dict[str, str]
    channel: str | None
    send_at: datetime
    url: str | None
    body: dict[str, Any]


def due_sk(send_at: str, campaign_id: str) -> str:
    return f"{send_at}#{campaign_id}"


def get(merchant_id: str, campaign_id: str) -> CampaignItem:
    ensure_configured()
    try:
        return CampaignItem.get(k.merchant_pk(merchant_id), k.campaign_sk(campaign_id), consistent_read=True)
    except CampaignItem.DoesNotExist:
        raise NotFound(f"campaign {campaign_id} not found", code="campaign_not_found") from None


def create(merchant_id: str, request: CampaignRequest, now: datetime) -> tuple[bool, CampaignItem]:
    """(created, campaign); the same request again answers the stored campaign, another body 409s."""
    ensure_configured()
    fingerprint = request_hash(request.body)
    send_at = iso(max(request.send_at, now)) if request.send_at else iso(now)
    item = CampaignItem(
        k.merchant_pk(merchant_id),
        k.campaign_sk(request.campaign_id),
        campaign_id=request.campaign_id,
        name=request.name,
        segment=json.dumps(request.segment.as_json(), ensure_ascii=False),
        channel=request.channel,
        template=json.dumps(request.template, ensure_ascii=False),
        url=request.url,
        send_at=send_at,
        status="scheduled",
        created_at=iso(now),
        request_hash=fingerprint,
        DuePK=k.due_pk(merchant_id, "campaign"),
        DueSK=due_sk(send_at, request.campaign_id),
    )
    try:
        item.save(condition=Item.PK.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        existing = get(merchant_id, request.campaign_id)
        if existing.request_hash != fingerprint:
            raise IdempotencyConflict("campaign_id was already used with a different request body") from None
        return False, existing
    return True, item


def list_campaigns(merchant_id: str, limit: int, after: str | None) -> tuple[list[CampaignItem], str | None]:
    """Newest campaign ids last (ids sort as given); `after` is the last id of the previous page."""
    ensure_configured()
    start = {"PK": {"S": k.merchant_pk(merchant_id)}, "SK": {"S": k.campaign_sk(after)}} if after else None
    result = CampaignItem.query(
        k.merchant_pk(merchant_id),
        CampaignItem.SK.startswith(k.CAMPAIGN_PREFIX),
        limit=limit,
        last_evaluated_key=start,
        page_size=limit,
    )
    items = [item for item in result if isinstance(item, CampaignItem)]
    more = result.last_evaluated_key is not None and len(items) == limit
    return items, (items[-1].campaign_id if more and items else None)


def cancel(merchant_id: str, campaign_id: str, now: datetime) -> CampaignItem:
    """Stop a campaign that has not finished; what was already decided stays decided."""
    item = get(merchant_id, campaign_id)
    if item.status == "canceled":
        return item
    if item.status == "sent":
        raise Conflict("the campaign has already been sent", code="campaign_sent")
    try:
        item.update(
            actions=[
                CampaignItem.status.set("canceled"),
                CampaignItem.canceled_at.set(iso(now)),
                CampaignItem.DuePK.remove(),
                CampaignItem.DueSK.remove(),
            ]
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return cancel(merchant_id, campaign_id, now)
        raise
    return item
