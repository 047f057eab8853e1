"""Segments and campaigns through the local stack: who is in a segment, and a campaign's life."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from vafa_dev.local.fake_sms import FakeSmsServer

from tests.e2e.conftest import Shop
from tests.e2e.test_reminders import notes, run, sent_to

NOW = datetime.now(UTC).replace(microsecond=0)
QUIET = {
    "quiet_hours": None,
    "reminders": {
        "expiry_days_before": [],
        "win_back_after_days": None,
        "feedback_after_days": None,
        "abandoned_cart_after_minutes": None,
    },
}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def buyer(shop: Shop, cid: str, phone: str | None, days_ago: list[int], sms: bool = True) -> None:
    profile: dict[str, Any] = {"name": cid, "locale": "fa", "consent": {"sms": sms}}
    if phone:
        profile["phone"] = phone
    assert shop.call("PUT", f"/v1/customers/{cid}", profile).status_code == 201
    for n, days in enumerate(days_ago):
        answer = shop.call(
            "POST",
            "/v1/purchases",
            {
                "order_id": f"{cid}-{n}",
                "customer_id": cid,
                "amount": 1_000_000,
                "occurred_at": stamp(NOW - timedelta(days=days)),
            },
        )
        assert answer.status_code == 201, answer.text


@pytest.fixture
def club(sms_shop: Shop) -> Shop:
    """Customers in known segments (cycle: 30 days, the default when win-back is off)."""
    assert sms_shop.call("PUT", "/v1/program", QUIET).status_code == 200
    buyer(sms_shop, "champ", "09120000101", [50, 40, 30, 20, 5])  # R5 F4
    buyer(sms_shop, "risk", "09120000102", [150, 140, 120, 100])  # R2 F4
    buyer(sms_shop, "risk-quiet", "09120000103", [150, 140, 120, 100], sms=False)
    buyer(sms_shop, "gone", "09120000104", [200])  # R1 F1
    buyer(sms_shop, "newbie", "09120000105", [5])
    buyer(sms_shop, "browser", None, [])
    return sms_shop


def test_segments_put_each_customer_in_one_named_segment(club: Shop) -> None:
    answer = club.call("GET", "/v1/segments")
    assert answer.status_code == 200, answer.text
    sizes = {item["name"]: item["size"] for item in answer.json()["items"]}
    assert sizes["champions"] == 1
    assert sizes["at_risk"] == 2
    assert sizes["lost"] == 1
    assert sizes["new"] == 1
    assert sizes["prospects"] == 1
    assert sum(sizes.values()) == answer.json()["customers"] == 6
    assert answer.json()["scores"]["frequency"]["4"] == 3


def test_segment_preview_applies_every_filter(club: Shop) -> None:
    def size(segment: Any) -> int:
        answer = club.call("POST", "/v1/segments/preview", {"segment": segment})
        assert answer.status_code == 200, answer.text
        return int(answer.json()["size"])

    assert size("at_risk") == 2
    assert size({"name": "at_risk", "consent": "sms"}) == 1
    assert size({"min_purchases": 2}) == 3
    assert size({"last_purchase_before": (NOW - timedelta(days=90)).date().isoformat()}) == 3
    assert size({"last_purchase_after": stamp(NOW - timedelta(days=10))}) == 2
    assert size({"min_total_spent": 4_000_000, "max_total_spent": 4_000_000}) == 2
    assert size("all") == 6


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"segment": "vips"}, "segment.name"),
        ({"segment": {"min_purchases": -1}}, "segment.min_purchases"),
        ({"segment": {"favourite": "tea"}}, "segment.favourite"),
        ({"segment": 7}, "segment"),
        ({"template": {"fa": "سلام {nme}"}}, "template.fa"),
        ({"template": {}}, "template"),
        ({"channel": "fax"}, "channel"),
        ({"send_at": "tomorrow"}, "send_at"),
        ({"url": "javascript:alert(1)"}, "url"),
    ],
)
def test_bad_campaigns_are_refused_with_the_field_named(shop: Shop, body: dict[str, Any], field: str) -> None:
    request = {"campaign_id": "bad", "name": "n", "segment": "all", "template": {"fa": "سلام"}, **body}
    answer = shop.call("POST", "/v1/campaigns", request)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    assert shop.call("GET", "/v1/campaigns/bad").status_code == 404


def test_a_campaign_to_at_risk_customers_goes_out_once_and_reports_its_results(
    club: Shop,
    kavenegar: FakeSmsServer,
) -> None:
    body = {
        "campaign_id": "yalda",
        "name": "شب یلدا",
        "segment": "at_risk",
        "template": {"fa": "{name} عزیز، دلمان برایتان تنگ شده. {link}", "en": "We miss you, {name}. {link}"},
        "url": "https://shop.example/yalda",
    }
    created = club.call("POST", "/v1/campaigns", body)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "scheduled" and created.json()["audience"] is None
    send_at = datetime.fromisoformat(created.json()["send_at"].replace("Z", "+00:00"))  # when it was created
    assert club.call("POST", "/v1/campaigns", body).json()["campaign_id"] == "yalda"
    changed = club.call("POST", "/v1/campaigns", {**body, "segment": "lost"})
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "idempotency_conflict"

    run(club, "reminders", stamp(send_at - timedelta(minutes=5)))
    assert not sent_to(kavenegar, "09120000102")
    run(club, "reminders", stamp(send_at))
    run(club, "reminders", stamp(send_at + timedelta(minutes=2)))
    texts = sent_to(kavenegar, "09120000102")
    assert len(texts) == 1 and "دلمان برایتان تنگ شده" in texts[0] and texts[0].endswith("لغو ۱۱")
    assert not sent_to(kavenegar, "09120000101") and not sent_to(kavenegar, "09120000104")
    quiet = notes(club, "risk-quiet")
    assert [(n["kind"], n["status"], n["reason"]) for n in quiet] == [
        ("campaign", "suppressed", "no_consent")
    ]

    report = club.call("GET", "/v1/campaigns/yalda").json()
    assert report["status"] == "sent"
    assert (report["audience"], report["sent"], report["suppressed"]) == (2, 1, 1)

    # The customer taps the link and buys: the campaign converts, with the order's revenue.
    link = re.search(r"https?://\S+/r/\S+", texts[0])
    assert link is not None
    assert requests.get(link.group(0), allow_redirects=False, timeout=10).status_code == 302
    purchase = {"order_id": "risk-back", "customer_id": "risk", "amount": 2_500_000}
    assert club.call("POST", "/v1/purchases", purchase).status_code == 201
    run(club, "metrics", stamp(send_at + timedelta(hours=2)))
    report = club.call("GET", "/v1/campaigns/yalda").json()
    assert (report["clicked"], report["converted"], report["revenue"]) == (1, 1, 2_500_000)
    listed = club.call("GET", "/v1/campaigns").json()["items"]
    assert [c["campaign_id"] for c in listed] == ["yalda"] and listed[0]["converted"] == 1
    assert club.call("POST", "/v1/campaigns/yalda/cancel").status_code == 409


def test_a_cancelled_campaign_sends_nothing_and_campaigns_stay_with_their_merchant(
    club: Shop,
    kavenegar: FakeSmsServer,
    stack: Any,
) -> None:
    send_at = NOW + timedelta(hours=3)
    body = {"campaign_id": "oops", "name": "x", "segment": "all", "template": {"fa": "سلام {name}"}}
    assert club.call("POST", "/v1/campaigns", {**body, "send_at": stamp(send_at)}).status_code == 201
    cancelled = club.call("POST", "/v1/campaigns/oops/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "canceled"
    run(club, "reminders", stamp(send_at + timedelta(minutes=1)))
    assert all(not notes(club, cid) for cid in ("champ", "risk", "gone", "newbie"))
    other = requests.post(f"{stack.url}/_local/merchants", json={"name": "other"}, timeout=10).json()
    stranger = Shop(stack.url, other)
    assert stranger.call("GET", "/v1/campaigns/oops").status_code == 404
    assert stranger.call("GET", "/v1/campaigns").json()["items"] == []
    assert stranger.call("POST", "/v1/campaigns/oops/cancel").status_code == 404
