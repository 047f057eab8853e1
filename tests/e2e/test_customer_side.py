"""The customer's side over HTTP: their own wallet and consent, visitors' events, linking a visitor
at sign-in, the browse_abandoned nudge (anonymous by push), and the wallet widget in Chromium."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser
from vafa.store import keys as k
from vafa.store.models import BrowsingItem
from vafa.timeutil import iso
from vafa_dev.local.push_receiver import PushReceiver

from tests.e2e.conftest import Shop
from tests.e2e.test_reminders import notes, run

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VISITOR = "vis_7hQm2LpX9aRt4wZc"


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushReceiver]:
    receiver = PushReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


def site(shop: Shop) -> dict[str, str]:
    return {"X-Site-Key": shop.keys["site_key"]}


def event(shop: Shop, body: dict[str, Any], headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(f"{shop.base}/v1/events", json=body, headers=headers or site(shop), timeout=10)


def wallet(shop: Shop, customer: str, locale: str = "fa") -> None:
    assert (
        shop.call("PUT", f"/v1/customers/{customer}", {"name": "سارا", "locale": locale}).status_code == 201
    )
    bought = shop.call(
        "POST", "/v1/purchases", {"order_id": f"o-{customer}", "customer_id": customer, "amount": 2_500_000}
    )
    assert bought.status_code == 201, bought.text  # 5%: 125,000 rials = 12,500 Toman


def test_the_customer_reads_their_own_wallet_in_their_language_and_only_with_their_token(shop: Shop) -> None:
    wallet(shop, "me-1")
    assert requests.get(f"{shop.base}/v1/me", headers=site(shop), timeout=10).status_code == 401
    forged = requests.get(f"{shop.base}/v1/me", headers={**site(shop), "X-Customer-Token": "x.y"}, timeout=10)
    assert forged.status_code == 401 and forged.headers["Access-Control-Allow-Origin"] == "*"
    no_site_key = {"X-Customer-Token": shop.browser_headers("me-1")["X-Customer-Token"]}
    assert requests.get(f"{shop.base}/v1/me", headers=no_site_key, timeout=10).status_code == 401
    headers = shop.browser_headers("me-1")
    me = requests.get(f"{shop.base}/v1/me", headers=headers, timeout=10)
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["customer_id"] == "me-1" and body["balance"] == 125_000 and body["currency"] == "IRR"
    assert body["display"]["balance"] == "۱۲٬۵۰۰ تومان" and body["display"]["locale"] == "fa"
    assert [lot["amount"] for lot in body["expiring"]] == [125_000]
    assert body["display"]["expiring"][0]["amount"] == "۱۲٬۵۰۰ تومان"
    assert set(body["consent"]) == {"sms", "email", "push"}
    english = requests.get(f"{shop.base}/v1/me?locale=en", headers=headers, timeout=10).json()
    assert english["display"]["balance"] == "12,500 Toman"
    # The public key never opens the merchant's own routes, however close the path.
    assert requests.get(f"{shop.base}/v1/metrics", headers=site(shop), timeout=10).status_code == 401
    preflight = requests.options(f"{shop.base}/v1/me/consent", timeout=10)
    assert preflight.status_code == 204 and "PUT" in preflight.headers["Access-Control-Allow-Methods"]


def test_the_customer_changes_their_own_consent(shop: Shop) -> None:
    wallet(shop, "me-2")
    headers = shop.browser_headers("me-2")
    url = f"{shop.base}/v1/me/consent"
    changed = requests.put(url, json={"sms": True, "email": False}, headers=headers, timeout=10)
    assert changed.status_code == 200, changed.text
    assert changed.json()["consent"] == {"sms": True, "email": False, "push": False}
    assert shop.call("GET", "/v1/customers/me-2").json()["consent"]["sms"] is True
    for bad, field in (({}, "body"), ({"fax": True}, "fax"), ({"sms": "yes"}, "sms")):
        refused = requests.put(url, json=bad, headers=headers, timeout=10)
        assert refused.status_code == 422 and refused.json()["error"]["field"] == field, refused.text
    assert requests.put(url, json={"sms": False}, headers=site(shop), timeout=10).status_code == 401


def test_events_are_checked_field_by_field_and_throttled_per_visitor(shop: Shop) -> None:
    good = {"visitor_id": "vis_checks_0001", "type": "page_viewed", "url": "https://shop.example/"}
    accepted = event(shop, good)
    assert accepted.status_code == 202 and accepted.json()["customer_id"] is None
    cases = [
        ({**good, "visitor_id": "short"}, "visitor_id"),
        ({**good, "type": "purchased"}, "type"),
        ({**good, "url": "https://169.254.169.254/latest"}, "url"),
        ({**good, "url": "javascript:alert(1)"}, "url"),
        ({**good, "type": "product_viewed"}, "product"),
        ({**good, "type": "product_viewed", "product": {"sku": ""}}, "product.sku"),
        ({**good, "type": "product_viewed", "product": {"sku": "a", "price": -1}}, "product.price"),
        ({**good, "type": "searched"}, "query"),
        ({**good, "at": iso(datetime.now(UTC) + timedelta(hours=1))}, "at"),
    ]
    for body, field in cases:
        refused = event(shop, body)
        assert refused.status_code == 422 and refused.json()["error"]["field"] == field, (body, refused.text)
    assert requests.post(f"{shop.base}/v1/events", json=good, timeout=10).status_code == 401
    # A customer_id is never taken from the body: only a token names the customer.
    token = {**site(shop), "X-Customer-Token": "not-a-token"}
    assert event(shop, good, token).status_code == 401
    flood = {**good, "visitor_id": "vis_flood_00001"}
    second = datetime.now(UTC).second
    if second > 45:  # the counter is per clock minute: start the burst inside one
        time.sleep(61 - second)
    statuses = [event(shop, flood).status_code for _ in range(121)]
    assert statuses[:120] == [202] * 120 and statuses[120] == 429, statuses
    assert event(shop, {**flood, "visitor_id": "vis_flood_00002"}).status_code == 202  # per visitor


def _program(shop: Shop) -> None:
    body = {
        "shop_name": "Vafa Books",
        "shop_url": "https://shop.example/",
        "quiet_hours": None,
        "channel_order": ["push", "sms", "email"],
        "reminders": {"browse_abandoned_after_minutes": 30},
    }
    assert shop.call("PUT", "/v1/program", body).status_code == 200


def test_an_anonymous_visitor_who_viewed_a_product_and_left_gets_one_push_and_their_history_follows_them(
    shop: Shop, push_service: PushReceiver
) -> None:
    _program(shop)
    merchant = shop.keys["merchant_id"]
    browser = push_service.new_subscription()
    subscribed = requests.post(
        f"{shop.base}/v1/push-subscriptions",
        json={"visitor_id": VISITOR, **browser},
        headers=site(shop),
        timeout=10,
    )
    assert subscribed.status_code == 201, subscribed.text
    product = {"sku": "tea-500", "name": "چای ۵۰۰ گرمی", "price": 450_000}
    viewed = event(
        shop,
        {
            "visitor_id": VISITOR,
            "type": "product_viewed",
            "url": "https://shop.example/p/tea",
            "product": product,
        },
    )
    assert viewed.status_code == 202, viewed.text
    now = datetime.now(UTC)
    run(shop, "reminders", iso(now + timedelta(minutes=10)))  # inside the window: nothing yet
    assert push_service.received(browser) == []
    decided = run(shop, "reminders", iso(now + timedelta(minutes=45)))
    assert decided["result"].get("browse_abandoned") == 1, decided
    received = [push["payload"] for push in push_service.received(browser)]
    assert len(received) == 1
    assert received[0]["dir"] == "rtl" and "Vafa Books" in received[0]["body"]
    assert received[0]["url"].startswith(shop.base + "/r/")  # tracked, on to the product's page
    assert requests.get(received[0]["url"], allow_redirects=False, timeout=10).headers["Location"] == (
        "https://shop.example/p/tea"
    )
    run(shop, "reminders", iso(now + timedelta(hours=3)))
    assert len(push_service.received(browser)) == 1  # one nudge per session, however many runs

    # At sign-in the shop links the visitor: its browser and its events are the customer's now.
    wallet(shop, "reader-1")
    linked = shop.call("POST", "/v1/customers/reader-1/visitors", {"visitor_id": VISITOR})
    assert linked.status_code == 200, linked.text
    assert linked.json()["moved"] == {"events": 1, "push_subscriptions": 1}
    again = shop.call("POST", "/v1/customers/reader-1/visitors", {"visitor_id": VISITOR})
    assert again.status_code == 200 and again.json()["moved"] == {"events": 0, "push_subscriptions": 0}
    assert shop.call("POST", "/v1/customers/nobody/visitors", {"visitor_id": VISITOR}).status_code == 404
    assert shop.call("POST", "/v1/customers/reader-1/visitors", {"visitor_id": "no"}).json()["error"][
        "field"
    ] == ("visitor_id")
    assert shop.call("GET", "/v1/customers/reader-1").json()["consent"]["push"] is True
    history = BrowsingItem.get(k.customer_pk(merchant, "reader-1"), "BROWSING")
    assert [row.split(",")[1] for row in history.events or []] == ['"product_viewed"']
    # Later anonymous events of that browser are found under the customer too.
    assert event(shop, {"visitor_id": VISITOR, "type": "searched", "query": "چای سبز"}).status_code == 202
    history = BrowsingItem.get(k.customer_pk(merchant, "reader-1"), "BROWSING")
    assert len(history.events or []) == 2
    assert BrowsingItem.get(k.visitor_pk(merchant, VISITOR), "BROWSING").linked_to == "reader-1"

    # Signed in, the customer views another product and leaves: their nudge reaches the same browser.
    time.sleep(1.1)  # a purchase in the same second as the view counts as bought after it (no nudge)
    later = event(
        shop,
        {
            "visitor_id": VISITOR,
            "type": "product_viewed",
            "url": "https://shop.example/p/cup",
            "product": {"sku": "cup"},
        },
        shop.browser_headers("reader-1"),
    )
    assert later.status_code == 202 and later.json()["customer_id"] == "reader-1"
    run(shop, "reminders", iso(datetime.now(UTC) + timedelta(minutes=45)))
    assert len(push_service.received(browser)) == 2
    assert [(n["kind"], n["channel"], n["status"]) for n in notes(shop, "reader-1")] == [
        ("browse_abandoned", "push", "sent")
    ]


def test_a_customer_who_bought_after_browsing_gets_no_nudge(shop: Shop, push_service: PushReceiver) -> None:
    _program(shop)
    wallet(shop, "buyer-1")
    headers = shop.browser_headers("buyer-1")
    sub = push_service.new_subscription()
    assert (
        requests.post(f"{shop.base}/v1/push-subscriptions", json=sub, headers=headers, timeout=10).status_code
        == 201
    )
    view = {"visitor_id": "vis_buyer_000001", "type": "product_viewed", "product": {"sku": "tea"}}
    assert event(shop, view, headers).status_code == 202
    bought = shop.call(
        "POST", "/v1/purchases", {"order_id": "o-buyer-2", "customer_id": "buyer-1", "amount": 10_000}
    )
    assert bought.status_code == 201
    run(shop, "reminders", iso(datetime.now(UTC) + timedelta(minutes=45)))
    assert push_service.received(sub) == []
    assert [n["kind"] for n in notes(shop, "buyer-1")] == []


SHOP_PAGE = """<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>کتاب‌فروشی نمونه</title>
<style>
  /* A theme that styles everything it can reach: none of it may reach the widget. */
  * {{ font-family: "Courier New", monospace !important; color: #c0392b; }}
  section, h2, p, ul, li, button {{ background: #ffeaa7 !important; border: 3px dotted purple !important;
    font-size: 30px !important; margin: 0 !important; padding: 0 !important; }}
  .card, .balance {{ display: none !important; }}
  body {{ margin: 2rem; background: #fafafa; }}
</style></head>
<body><header><h1>کتاب‌فروشی نمونه</h1></header>
<main><h2>چای ۵۰۰ گرمی</h2><p>۴۵٬۰۰۰ تومان</p><div id="vafa-wallet"></div></main>
<script src="{api}/vafa-subscribe.js" data-api="{api}" data-site-key="{key}" data-customer-token="{token}"
        data-track="auto" data-product-sku="tea-500" data-product-name="چای ۵۰۰ گرمی"
        data-product-price="450000"></script>
<script src="{api}/widget.js" data-api="{api}" data-site-key="{key}" data-customer-token="{token}"
        data-target="#vafa-wallet" {lang}></script>
</body></html>"""


@pytest.fixture
def shop_site() -> Iterator[dict[str, str]]:
    """The shop's own web server: serves whatever page the test puts in `pages`."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = pages.get(self.path.split("?")[0])
            data = (page or "not found").encode()
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pages["_base"] = f"http://127.0.0.1:{server.server_address[1]}"
    yield pages
    server.shutdown()


@pytest.mark.xdist_group("browser")
def test_the_widget_shows_the_wallet_on_a_themed_shop_page_in_both_languages(
    browser: Browser, shop: Shop, shop_site: dict[str, str]
) -> None:
    wallet(shop, "web-me")
    token = shop.browser_headers("web-me")["X-Customer-Token"]
    for name, lang in (("fa", ""), ("en", 'data-lang="en"')):
        shop_site[f"/{name}.html"] = SHOP_PAGE.format(
            api=shop.base, key=shop.keys["site_key"], token=token, lang=lang
        )
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 900, "height": 620})
    calls: list[str] = []
    page.on("request", lambda r: calls.append(f"{r.method} {r.url.removeprefix(shop.base)}"))
    page.goto(shop_site["_base"] + "/fa.html")
    page.wait_for_function("window.VafaWallet && document.querySelector('#vafa-wallet').shadowRoot")
    page.evaluate("window.VafaWallet.ready")
    card = page.locator("#vafa-wallet .card")
    assert card.get_attribute("dir") == "rtl"
    assert page.locator("#vafa-wallet .balance").inner_text() == "۱۲٬۵۰۰ تومان"
    assert "تا" in page.locator("#vafa-wallet li").inner_text()
    # The theme's rules stopped at the shadow root: the card is shown, in its own font.
    assert card.is_visible()
    assert "Courier" not in card.evaluate("e => getComputedStyle(e).fontFamily")
    page.screenshot(path=str(ARTIFACTS / "widget-fa.png"), full_page=True)
    page.locator("#vafa-wallet button").click()
    page.wait_for_function(
        "document.querySelector('#vafa-wallet').shadowRoot.querySelector('.card').getAttribute('dir') === 'ltr'"
    )
    assert page.locator("#vafa-wallet .balance").inner_text() == "12,500 Toman"
    page.screenshot(path=str(ARTIFACTS / "widget-fa-switched-to-en.png"), full_page=True)
    page.goto(shop_site["_base"] + "/en.html")
    page.wait_for_function("window.VafaWallet && document.querySelector('#vafa-wallet').shadowRoot")
    page.evaluate("window.VafaWallet.ready")
    assert page.locator("#vafa-wallet .card").get_attribute("dir") == "ltr"
    page.screenshot(path=str(ARTIFACTS / "widget-en.png"), full_page=True)
    # The snippet told Vafa of the product view, with the visitor id it keeps; the widget linked it.
    visitor = page.evaluate("window.Vafa.visitorId()")
    page.close()
    assert "POST /v1/events" in calls and any(c.startswith("GET /v1/me?locale=fa&visitor_id=") for c in calls)
    merchant = shop.keys["merchant_id"]
    assert BrowsingItem.get(k.visitor_pk(merchant, visitor), "BROWSING").linked_to == "web-me"
    history = BrowsingItem.get(k.customer_pk(merchant, "web-me"), "BROWSING").events or []
    assert any('"product_viewed"' in row and "tea-500" in row for row in history)


def test_the_widget_is_javascript_cached_like_the_other_drop_in_files(shop: Shop) -> None:
    answer = requests.get(f"{shop.base}/widget.js", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/javascript")
    assert (
        answer.headers["Cache-Control"] == "max-age=3600"
        and answer.headers["X-Content-Type-Options"] == "nosniff"
    )
    assert len(answer.text.splitlines()) < 300
