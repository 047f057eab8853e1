"""Campaigns and segments: who is in a segment, and messages sent to one."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator, model_validator

from vafa.api.context import decode_cursor, encode_cursor, json_body, merchant_id, programs, request_time
from vafa.campaigns import report, store
from vafa.customers import ClientId, check_client_id
from vafa.errors import ValidationFailed
from vafa.messages.render import validate_template
from vafa.segments.audience import overview, preview
from vafa.segments.definition import parse_segment
from vafa.store import keys as k
from vafa.timeutil import parse_instant

router = APIGatewayHttpRouter()
Text = Annotated[StrictStr, Field(min_length=1, max_length=1000)]


class CampaignTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fa: Text | None = None
    en: Text | None = None

    @model_validator(mode="after")
    def _some(self) -> CampaignTemplate:
        if self.fa is None and self.en is None:
            raise ValueError("give the text in at least one language (fa, en)")
        return self


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    campaign_id: ClientId
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    segment: Any = Field(
        description='A named segment ("at_risk") or {"name"?, filters…}; see GET /v1/segments'
    )
    channel: Literal["sms", "email", "push"] | None = Field(
        default=None, description="One channel; the program's channel_order when left out"
    )
    template: CampaignTemplate
    send_at: StrictStr | None = Field(default=None, description="ISO-8601 with offset; default now")
    url: Annotated[StrictStr, Field(max_length=2000)] | None = Field(
        default=None, description="Where the message's tracked {link} leads"
    )

    @field_validator("send_at")
    @classmethod
    def _instant(cls, value: str | None) -> str | None:
        if value is not None:
            parse_instant(value)
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("url must start with https:// or http://")
        return value


class SegmentPreviewIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    segment: Any = Field(description="A named segment or an object of filters")


@router.post(
    "/v1/campaigns",
    tags=["Campaigns"],
    summary="Schedule a message to a segment",
    responses={201: {"description": "Created (or the original answer of a retried request)"}},
)
def post_campaign(body: Annotated[CampaignIn, Body()]) -> Response[dict[str, Any]]:
    merchant = merchant_id(router)
    now = request_time(router)
    segment = parse_segment(body.segment)
    template = {lang: text for lang, text in body.template.model_dump().items() if text is not None}
    for lang, text in template.items():
        unknown = validate_template(text)
        if unknown:
            raise ValidationFailed(f"unknown placeholders: {', '.join(unknown)}", field=f"template.{lang}")
    request = store.CampaignRequest(
        campaign_id=check_client_id(body.campaign_id, "campaign_id"),
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


@router.get("/v1/campaigns", tags=["Campaigns"], summary="Campaigns with their results, by id")
def list_campaigns(
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
) -> dict[str, Any]:
    merchant = merchant_id(router)
    after = decode_cursor(cursor, k.CAMPAIGN_PREFIX, numeric=False)
    items, last = store.list_campaigns(
        merchant, limit, after.removeprefix(k.CAMPAIGN_PREFIX) if after else None
    )
    from vafa.metrics.job import outcomes

    counts = outcomes(merchant) if items else {}
    return {
        "items": [report.results(merchant, item, counts) for item in items],
        "next_cursor": encode_cursor(k.campaign_sk(last)) if last else None,
    }


@router.get("/v1/campaigns/<campaign_id>", tags=["Campaigns"], summary="A campaign and its results")
def get_campaign(campaign_id: str) -> dict[str, Any]:
    merchant = merchant_id(router)
    return report.results(merchant, store.get(merchant, check_client_id(campaign_id, "campaign_id")))


@router.post(
    "/v1/campaigns/<campaign_id>/cancel", tags=["Campaigns"], summary="Stop a campaign that has not finished"
)
def cancel_campaign(campaign_id: str) -> dict[str, Any]:
    merchant = merchant_id(router)
    campaign = store.cancel(merchant, check_client_id(campaign_id, "campaign_id"), request_time(router))
    return report.results(merchant, campaign)


@router.get("/v1/segments", tags=["Campaigns"], summary="Named segments with their sizes, and RFM scores")
def get_segments() -> dict[str, Any]:
    merchant = merchant_id(router)
    return overview(merchant, programs().get(merchant), request_time(router))


@router.post("/v1/segments/preview", tags=["Campaigns"], summary="How many customers a segment holds now")
def preview_segment(body: Annotated[SegmentPreviewIn, Body()]) -> dict[str, Any]:
    merchant = merchant_id(router)
    segment = parse_segment(body.segment)
    return preview(merchant, programs().get(merchant), segment, request_time(router))
