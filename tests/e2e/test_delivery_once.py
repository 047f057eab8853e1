"""Each message is its own: ids per customer, no gateway no "sent", the holdout gets no gift, and
default texts read whole without a shop name."""

from __future__ import annotations

from datetime import date

import pytest
from vafa_dev.local.fake_sms import FakeSmsServer

from tests.clock import PURCHASE_DAY, REMINDER_DAY, at, day
from tests.e2e.conftest import Shop
from tests.e2e.test_reminders import notes, run, sent_to

TODAY = date.fromisoformat(day(0))


def customer_who_bought(shop: Shop, customer_id: str, phone: str, amount: int, when: str) -> None:
    """A customer who takes SMS, with one order (`o-<customer_id>`) at `when`."""
    body = {"phone": phone, "name": "سارا", "consent": {"sms": True}}
    assert shop.call("PUT", f"/v1/customers/{customer_id}", body).status_code == 201
    order = {
        "order_id": f"o-{customer_id}",
        "customer_id": customer_id,
        "amount": amount,
        "occurred_at": when,
    }
    assert shop.call("POST", "/v1/purchases", order).status_code == 201


def birthday_today() -> dict[str, str]:
    return {"calendar": "gregorian", "date": f"1990-{TODAY.month:02d}-{TODAY.day:02d}"}


def test_two_customers_greeted_the_same_day_get_different_message_ids(
    sms_shop: Shop, kavenegar: FakeSmsServer
) -> None:
    for cid, phone in (("b-1", "09121230001"), ("b-2", "09121230002")):
        body = {"phone": phone, "name": "سارا", "consent": {"sms": True}, "birthday": birthday_today()}
        assert sms_shop.call("PUT", f"/v1/customers/{cid}", body).status_code == 201
    run(sms_shop, "reminders", at(day(0)))
    local_ids = [m["localid"] for m in kavenegar.sent if m["receptor"] in ("09121230001", "09121230002")]
    assert len(local_ids) == 2 and len(set(local_ids)) == 2
    ids = {notes(sms_shop, c)[0]["notification_id"] for c in ("b-1", "b-2")}
    assert len(ids) == 2


def test_without_a_gateway_sms_is_never_reported_sent(shop: Shop) -> None:
    assert shop.call("PUT", "/v1/program", {"sms": {"provider": None}, "channel_order": ["sms"]}).ok
    body = {"phone": "09121230003", "consent": {"sms": True}}
    assert shop.call("PUT", "/v1/customers/ng", body).status_code == 201
    purchase = {"order_id": "o-ng", "customer_id": "ng", "amount": 2_000_000, "occurred_at": at(PURCHASE_DAY)}
    assert shop.call("POST", "/v1/purchases", purchase).status_code == 201
    run(shop, "reminders", at(REMINDER_DAY))
    log = notes(shop, "ng")
    assert [(n["status"], n["reason"]) for n in log] == [("suppressed", "channel_not_configured")]


def test_the_holdout_gets_no_birthday_gift(sms_shop: Shop) -> None:
    program = {"holdout_percent": 50, "reminders": {"birthday_gift_amount": 50_000}}
    assert sms_shop.call("PUT", "/v1/program", program).ok
    customers = [f"h-{i}" for i in range(16)]
    for i, cid in enumerate(customers):
        body = {"phone": f"091212400{i:02d}", "consent": {"sms": True}, "birthday": birthday_today()}
        assert sms_shop.call("PUT", f"/v1/customers/{cid}", body).status_code == 201
    run(sms_shop, "reminders", at(day(0)))
    held = gifted = 0
    for cid in customers:
        reason = notes(sms_shop, cid)[0]["reason"]
        gifts = [
            e
            for e in sms_shop.call("GET", f"/v1/customers/{cid}/ledger").json()["items"]
            if e["type"] == "gift"
        ]
        if reason == "holdout":
            held += 1
            assert gifts == [], cid
        else:
            gifted += 1
            assert [g["amount"] for g in gifts] == [50_000], cid
    assert held and gifted  # both groups exist among 16 at 50%


@pytest.mark.parametrize("locale", ["fa", "en"])
def test_without_a_shop_name_messages_name_the_merchant(
    sms_shop: Shop, kavenegar: FakeSmsServer, locale: str
) -> None:
    assert sms_shop.call("PUT", "/v1/program", {"shop_name": None}).ok
    phone = "09121250001" if locale == "fa" else "09121250002"
    body = {"phone": phone, "name": "Sara", "locale": locale, "consent": {"sms": True}}
    assert sms_shop.call("PUT", f"/v1/customers/n-{locale}", body).status_code == 201
    purchase = {"order_id": f"o-n-{locale}", "customer_id": f"n-{locale}", "amount": 2_000_000}
    assert sms_shop.call("POST", "/v1/purchases", {**purchase, "occurred_at": at(PURCHASE_DAY)}).ok
    run(sms_shop, "reminders", at(REMINDER_DAY))
    [text] = sent_to(kavenegar, phone)
    assert "فروشگاه نمونه" in text  # the merchant's name (tests/e2e/conftest.py)
    assert "  " not in text and " در تا " not in text and "your  credit" not in text


def test_what_the_gateway_charged_is_recorded_per_message_and_summed_per_kind(
    sms_shop: Shop, kavenegar: FakeSmsServer
) -> None:
    customer_who_bought(sms_shop, "cost-1", "09121260001", 2_000_000, at(PURCHASE_DAY))
    run(sms_shop, "reminders", at(REMINDER_DAY))
    [note] = notes(sms_shop, "cost-1")
    assert (note["status"], note["cost"]) == ("sent", 1200)  # Kavenegar's entry.cost, in rials
    run(sms_shop, "metrics", at(day(0), "23:00"))
    row = sms_shop.call("GET", "/v1/metrics").json()["messages"]["expiry_reminder"]
    assert row["cost"] == 1200 and row["sent"] == 1


def test_links_in_an_sms_are_short_and_resolve_in_one_read(sms_shop: Shop, kavenegar: FakeSmsServer) -> None:
    import re

    import requests

    customer_who_bought(sms_shop, "short-1", "09121270001", 500_000, at(day(-1)))
    run(sms_shop, "reminders", at(day(1)))  # the feedback ask, two days after the order
    [text] = sent_to(kavenegar, "09121270001")
    link = re.search(r"https?://\S+/f/(\S+)", text)
    assert link and re.fullmatch(r"[0-9A-Za-z]{10}", link.group(1)), text
    page = requests.get(link.group(0), timeout=10)
    assert page.status_code == 200
    scored = requests.post(f"{sms_shop.base}/v1/feedback/{link.group(1)}", json={"score": 9}, timeout=10)
    assert scored.status_code == 201 and scored.json()["order_id"] == "o-short-1"
    wrong = link.group(1)[:-1] + ("A" if link.group(1)[-1] != "A" else "B")
    assert (
        requests.post(f"{sms_shop.base}/v1/feedback/{wrong}", json={"score": 1}, timeout=10).status_code
        == 404
    )
