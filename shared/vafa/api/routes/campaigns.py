"""Campaigns and segments: who is in a segment, and messages sent to one."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from vafa.api.binding import page, route
from vafa.api.context import decode_cursor, encode_cursor, json_body, merchant_id, programs, request_time
from vafa.api.schemas import (
    CampaignIn,
    CampaignList,
    CampaignOut,
    SegmentPreviewIn,
    SegmentPreviewOut,
    SegmentsOut,
)
from vafa.customers import check_client_id
from vafa.errors import ValidationFailed
from vafa.messaging.placeholders import validate_template
from vafa.store import keys as k
from vafa.timeutil import parse_instant

router = APIGatewayHttpRouter()

# The campaign and segment modules (and the metrics they report) are imported inside the handlers
# that use them: every cold start of the API function loads this module, few requests need them.


@route(
    router,
    "POST",
    "/v1/campaigns",
    tag="Campaigns",
    summary="Schedule a message to a segment",
    body=CampaignIn,
    example={
        "campaign_id": "yalda-1405",
        "name": "شب یلدا",
        "segment": {"name": "at_risk", "min_total_spent": 5_000_000},
        "channel": "sms",
        "template": {"fa": "{name} عزیز، یلدا مبارک! {link}", "en": "Happy Yalda, {name}! {link}"},
        "send_at": "2026-12-20T15:00:00Z",
        "url": "https://shop.example/yalda",
    },
    response=CampaignOut,
    status=201,
    responses={201: "Created (or the original answer of a retried request)"},
)
def post_campaign(body: CampaignIn) -> Response[Any]:
    from vafa.insight.campaigns import report, store
    from vafa.insight.segments.definition import parse_segment

    merchant = merchant_id(router)
    now = request_time(router)
    segment = parse_segment(body.segment)
    template = {lang: text for lang, text in body.template.model_dump().items() if text is not None}
    for lang, text in template.items():
        unknown = validate_template(text)
        if unknown:
            raise ValidationFailed(f"unknown placeholders: {', '.join(unknown)}", field=f"template.{lang}")
    request = store.CampaignRequest(
        campaign_id=body.campaign_id,
        name=body.name,
        segment=segment,
        template=template,
        channel=body.channel,
        send_at=parse_instant(body.send_at) if body.send_at else now,
        url=body.url,
        body=json_body(router),
    )
    _, campaign = store.create(merchant, request, now)
    return Response(201, "application/json", report.results(merchant, campaign))


@route(
    router,
    "GET",
    "/v1/campaigns",
    tag="Campaigns",
    summary="Campaigns with their results, by id",
    response=CampaignList,
    query=page(100),
)
def list_campaigns(limit: int, cursor: str | None) -> dict[str, Any]:
    from vafa.insight.campaigns import report, store

    merchant = merchant_id(router)
    after = decode_cursor(cursor, k.CAMPAIGN_PREFIX, numeric=False)
    items, last = store.list_campaigns(
        merchant, limit, after.removeprefix(k.CAMPAIGN_PREFIX) if after else None
    )
    from vafa.insight.metrics.job import outcomes

    counts = outcomes(merchant) if items else {}
    return {
        "items": [report.results(merchant, item, counts) for item in items],
        "next_cursor": encode_cursor(k.campaign_sk(last)) if last else None,
    }


@route(
    router,
    "GET",
    "/v1/campaigns/<campaign_id>",
    tag="Campaigns",
    summary="A campaign and its results",
    response=CampaignOut,
)
def get_campaign(campaign_id: str) -> dict[str, Any]:
    from vafa.insight.campaigns import report, store

    merchant = merchant_id(router)
    return report.results(merchant, store.get(merchant, check_client_id(campaign_id, "campaign_id")))


@route(
    router,
    "POST",
    "/v1/campaigns/<campaign_id>/cancel",
    tag="Campaigns",
    summary="Stop a campaign that has not finished",
    response=CampaignOut,
)
def cancel_campaign(campaign_id: str) -> dict[str, Any]:
    from vafa.insight.campaigns import report, store

    merchant = merchant_id(router)
    campaign = store.cancel(merchant, check_client_id(campaign_id, "campaign_id"), request_time(router))
    return report.results(merchant, campaign)


@route(
    router,
    "GET",
    "/v1/segments",
    tag="Campaigns",
    summary="Named segments with their sizes, and RFM scores",
    response=SegmentsOut,
)
def get_segments() -> dict[str, Any]:
    from vafa.insight.segments.audience import overview

    merchant = merchant_id(router)
    return overview(merchant, programs().get(merchant), request_time(router))


@route(
    router,
    "POST",
    "/v1/segments/preview",
    tag="Campaigns",
    summary="How many customers a segment holds now",
    body=SegmentPreviewIn,
    example={"segment": {"name": "loyal", "consent": "sms"}},
    response=SegmentPreviewOut,
)
def preview_segment(body: SegmentPreviewIn) -> dict[str, Any]:
    from vafa.insight.segments.audience import preview
    from vafa.insight.segments.definition import parse_segment

    merchant = merchant_id(router)
    segment = parse_segment(body.segment)
    return preview(merchant, programs().get(merchant), segment, request_time(router))
