"""The retention engine end to end: schedules run at chosen times, queues drain, messages arrive once.

SMS go through the Kavenegar adapter to a local server that answers as Kavenegar's API does; web
push goes through real RFC 8291 encryption and VAPID to a local push service that decrypts it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import requests
from vafa_dev.local.fake_sms import FakeSmsServer

from tests.clock import EXPIRY_DAY, PURCHASE_DAY, REMINDER_DAY, at, day
from tests.e2e.conftest import Shop

# Dates follow today's (tests/clock.py): credit earned on PURCHASE_DAY is reminded on DAY.
DAY = REMINDER_DAY


def jalali_year(iso_day: str) -> str:
    """The Jalali year of a Gregorian date, in Persian digits, as messages print it."""
    import jdatetime

    year = jdatetime.date.fromgregorian(date=date.fromisoformat(iso_day)).year
    return str(year).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def run(shop: Shop, name: str, time: str) -> dict[str, Any]:
    answer = requests.post(f"{shop.base}/_local/schedules/{name}/run", json={"time": time}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()


def notes(shop: Shop, customer: str) -> list[dict[str, Any]]:
    answer = shop.call("GET", f"/v1/customers/{customer}/notifications")
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def sent_to(server: FakeSmsServer, phone_local: str) -> list[str]:
    return [m["message"] for m in server.sent if phone_local in (m.get("receptor") or "")]


def customer(shop: Shop, cid: str, phone: str, **extra: Any) -> None:
    body = {"phone": phone, "name": "سارا", "locale": "fa", "consent": {"sms": True}, **extra}
    assert shop.call("PUT", f"/v1/customers/{cid}", body).status_code in (200, 201)


def test_expiry_reminder_goes_out_once_in_persian_with_the_amount_and_date(
    sms_shop: Shop, kavenegar: FakeSmsServer
) -> None:
    customer(sms_shop, "c-exp", "09121110001")
    sms_shop.call(
        "POST",
        "/v1/purchases",
        {"order_id": "o-exp", "customer_id": "c-exp", "amount": 2_000_000, "occurred_at": at(PURCHASE_DAY)},
    )
    # Credit of 100,000 rials (10,000 Toman) expires on EXPIRY_DAY at 06:30Z; 3 days before is DAY.
    run(sms_shop, "reminders", at(DAY))
    run(sms_shop, "reminders", at(DAY))  # a repeated run decides nothing new
    messages = sent_to(kavenegar, "09121110001")
    assert len(messages) == 1
    assert "۱۰٬۰۰۰" in messages[0] and "تومان" in messages[0]
    assert jalali_year(EXPIRY_DAY) in messages[0]  # the Jalali date
    assert messages[0].rstrip().endswith("لغو ۱۱")
    log = notes(sms_shop, "c-exp")
    assert [(n["kind"], n["channel"], n["status"]) for n in log] == [("expiry_reminder", "sms", "sent")]


def test_quiet_hours_defer_the_message_until_morning(sms_shop: Shop, kavenegar: FakeSmsServer) -> None:
    customer(sms_shop, "c-quiet", "09121110002")
    sms_shop.call(
        "POST",
        "/v1/purchases",
        {"order_id": "o-q", "customer_id": "c-quiet", "amount": 2_000_000, "occurred_at": at(PURCHASE_DAY)},
    )
    run(sms_shop, "reminders", at(DAY, "19:30"))  # 23:00 in Tehran
    assert sent_to(kavenegar, "09121110002") == []
    waiting = notes(sms_shop, "c-quiet")
    assert waiting[0]["status"] == "queued" and waiting[0]["reason"] == "quiet_hours"
    run(sms_shop, "reminders", at(day(1), "05:45"))  # 09:15 in Tehran
    assert len(sent_to(kavenegar, "09121110002")) == 1
    assert notes(sms_shop, "c-quiet")[0]["status"] == "sent"


def test_no_consent_means_no_message_and_the_log_says_why(sms_shop: Shop, kavenegar: FakeSmsServer) -> None:
    sms_shop.call("PUT", "/v1/customers/c-no", {"phone": "09121110003", "consent": {"sms": False}})
    sms_shop.call(
        "POST",
        "/v1/purchases",
        {"order_id": "o-no", "customer_id": "c-no", "amount": 2_000_000, "occurred_at": at(PURCHASE_DAY)},
    )
    run(sms_shop, "reminders", at(DAY))
    assert sent_to(kavenegar, "09121110003") == []
    assert [(n["status"], n["reason"]) for n in notes(sms_shop, "c-no")] == [("suppressed", "no_consent")]


def test_replying_11_stops_marketing_sms(sms_shop: Shop, kavenegar: FakeSmsServer) -> None:
    from vafa.messaging.signals import inbound_token

    customer(sms_shop, "c-stop", "09121110004")
    token = inbound_token(sms_shop.keys["merchant_id"])
    reply = requests.post(
        f"{sms_shop.base}/v1/sms/inbound/{token}",
        data={"from": "09121110004", "message": "۱۱", "to": "10004346", "messageid": "1"},
        timeout=10,
    )
    assert reply.status_code == 200 and reply.json()["action"] == "opt_out"
    sms_shop.call(
        "POST",
        "/v1/purchases",
        {"order_id": "o-stop", "customer_id": "c-stop", "amount": 2_000_000, "occurred_at": at(PURCHASE_DAY)},
    )
    run(sms_shop, "reminders", at(DAY))
    assert sent_to(kavenegar, "09121110004") == []
    assert notes(sms_shop, "c-stop")[0]["reason"] == "opted_out"


def test_win_back_birthday_cart_and_feedback_each_at_their_time(
    sms_shop: Shop, kavenegar: FakeSmsServer
) -> None:
    import jdatetime

    birthday = jdatetime.date.fromgregorian(date=date.fromisoformat(day(31)))
    sms_shop.call(
        "PUT",
        "/v1/program",
        {
            "reminders": {"expiry_days_before": None, "birthday_gift_amount": 50_000},
            "max_marketing_messages_per_week": 10,
        },
    )
    customer(
        sms_shop,
        "c-life",
        "09121110005",
        birthday={"calendar": "jalali", "date": f"1370-{birthday.month:02d}-{birthday.day:02d}"},
    )
    sms_shop.call(
        "POST",
        "/v1/purchases",
        {"order_id": "o-life", "customer_id": "c-life", "amount": 1_000_000, "occurred_at": at(day(-1))},
    )
    # Feedback: two days after the purchase.
    run(sms_shop, "reminders", at(day(1)))
    assert [n["kind"] for n in notes(sms_shop, "c-life")] == ["feedback_request"]
    # Win-back: 30 days without a purchase.
    run(sms_shop, "reminders", at(day(29)))
    assert [n["kind"] for n in notes(sms_shop, "c-life")][0] == "win_back"
    # Birthday, in the Jalali calendar; the gift lands as its own lot, once.
    run(sms_shop, "reminders", at(day(31)))
    assert [n["kind"] for n in notes(sms_shop, "c-life")][0] == "birthday"
    run(sms_shop, "reminders", at(day(31), "08:00"))
    assert [n["kind"] for n in notes(sms_shop, "c-life")].count("birthday") == 1
    ledger = sms_shop.call("GET", "/v1/customers/c-life/ledger").json()["items"]
    assert [e["type"] for e in ledger].count("gift") == 1
    assert next(e for e in ledger if e["type"] == "gift")["amount"] == 50_000
    # Abandoned cart: an hour after the last update, with no purchase since.
    cart = sms_shop.call(
        "PUT",
        "/v1/carts/cart-1",
        {
            "customer_id": "c-life",
            "total": 450_000,
            "url": "https://shop.example/cart",
            "items": [{"sku": "a", "name": "کتاب", "quantity": 1, "price": 450_000}],
        },
    )
    assert cart.status_code == 201
    run(sms_shop, "reminders", cart.json()["reminder_due_at"])
    kinds = [n["kind"] for n in notes(sms_shop, "c-life")]
    assert kinds.count("abandoned_cart") == 1
    assert len(sent_to(kavenegar, "09121110005")) == 4


def test_a_purchase_closes_the_cart_it_names(sms_shop: Shop, kavenegar: FakeSmsServer) -> None:
    customer(sms_shop, "c-cart", "09121110007")
    cart = sms_shop.call("PUT", "/v1/carts/cart-2", {"customer_id": "c-cart", "total": 300_000})
    sms_shop.call(
        "POST",
        "/v1/purchases",
        {"order_id": "o-cart", "customer_id": "c-cart", "amount": 300_000, "cart_id": "cart-2"},
    )
    run(sms_shop, "reminders", cart.json()["reminder_due_at"])
    assert "abandoned_cart" not in [n["kind"] for n in notes(sms_shop, "c-cart")]


def test_feedback_link_records_a_score_once(sms_shop: Shop) -> None:
    from vafa.messaging import links

    token = links.sign("f", {"m": sms_shop.keys["merchant_id"], "c": "c-f", "o": "o-f", "n": "x"})
    first = requests.post(
        f"{sms_shop.base}/v1/feedback/{token}", json={"score": 9, "comment": "عالی"}, timeout=10
    )
    assert first.status_code == 201
    second = requests.post(f"{sms_shop.base}/v1/feedback/{token}", json={"score": 2}, timeout=10)
    assert second.status_code == 200 and second.json()["score"] == 9
    bad = requests.post(f"{sms_shop.base}/v1/feedback/{token}x", json={"score": 2}, timeout=10)
    assert bad.status_code == 404
    out_of_range = requests.post(f"{sms_shop.base}/v1/feedback/{token}", json={"score": 11}, timeout=10)
    assert out_of_range.status_code == 422 and out_of_range.json()["error"]["field"] == "score"


def test_tracked_link_redirects_and_records_the_click(sms_shop: Shop, kavenegar: FakeSmsServer) -> None:
    import re

    customer(sms_shop, "c-click", "09121110006")
    sms_shop.call(
        "POST",
        "/v1/purchases",
        {
            "order_id": "o-click",
            "customer_id": "c-click",
            "amount": 2_000_000,
            "occurred_at": at(PURCHASE_DAY),
        },
    )
    run(sms_shop, "reminders", at(DAY))
    text = sent_to(kavenegar, "09121110006")[0]
    link = re.search(r"https?://\S+/r/\S+", text)
    assert link, text
    answer = requests.get(link.group(0), allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"] == "https://shop.example/"
    assert notes(sms_shop, "c-click")[0]["clicked_at"] is not None
