"""The service worker and the subscribe snippet a shop pastes into its site, run in headless Chromium.

The push service itself cannot be reached offline, so the browser's push plumbing is stood in at the
edges: the service worker's `self` receives a push event carrying the JSON Vafa's sender sends, and
the snippet runs against a `PushManager` that hands back a fixed subscription; everything between
(parsing, the notification's text and direction, the calls to the API) is the real code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser

from tests.e2e.conftest import Shop

pytestmark = pytest.mark.xdist_group("browser")

RUN_WORKER = """async (source) => {
  const listeners = {}, shown = [], opened = [];
  const self = {
    addEventListener: (name, fn) => { listeners[name] = fn; },
    registration: { showNotification: async (title, options) => { shown.push({title, options}); } },
    clients: { matchAll: async () => [], openWindow: async (url) => { opened.push(url); } },
  };
  new Function("self", source)(self);
  const waits = [];
  const push = (payload) => listeners.push({ data: { json: () => payload }, waitUntil: (p) => waits.push(p) });
  push({title: "یادآوری", body: "اعتبار شما رو به پایان است", url: "https://shop.example/r/x", tag: "vafa-1"});
  push({title: "Other app", body: "not ours", tag: "other-1"});
  push({title: "Reminder", body: "Your credit expires", url: "https://shop.example/r/y", tag: "vafa-2", dir: "ltr"});
  await Promise.all(waits);
  const click = { notification: { data: shown[0].options.data, close: () => {} }, waitUntil: (p) => waits.push(p) };
  listeners.notificationclick(click);
  await Promise.all(waits);
  return {listeners: Object.keys(listeners).sort(), shown, opened};
}"""


def test_the_service_worker_shows_vafa_pushes_right_to_left_and_opens_the_tracked_link(
    browser: Browser,
    shop: Shop,
) -> None:
    answer = requests.get(f"{shop.base}/vafa-sw.js", timeout=10)
    assert answer.status_code == 200 and "javascript" in answer.headers["Content-Type"]
    page = browser.new_page()
    page.goto(f"{shop.base}/dashboard")
    result: dict[str, Any] = page.evaluate(RUN_WORKER, answer.text)
    assert result["listeners"] == ["notificationclick", "push"]  # no fetch handler, nothing else
    assert [s["title"] for s in result["shown"]] == [
        "یادآوری",
        "Reminder",
    ]  # another app's push is left alone
    assert result["shown"][0]["options"]["dir"] == "rtl" and result["shown"][1]["options"]["dir"] == "ltr"
    assert result["opened"] == ["https://shop.example/r/x"]
    page.close()


SUBSCRIBE = """async ([source, api, siteKey]) => {
  const calls = [];
  const subscription = { toJSON: () => ({endpoint: "https://fcm.googleapis.com/fcm/send/abc",
                                         keys: {p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", auth: "tBHItJI5svbpez7KI4CCXg"}}) };
  const registration = { pushManager: { getSubscription: async () => null,
                                        subscribe: async (options) => { calls.push(options.applicationServerKey.length); return subscription; } } };
  Object.defineProperty(navigator, "serviceWorker", { value: { getRegistration: async () => registration, register: async () => registration, ready: Promise.resolve(registration) } });
  window.PushManager = function () {};
  window.Notification = { requestPermission: async () => "granted" };
  const script = document.createElement("script");
  script.setAttribute("data-api", api);
  script.setAttribute("data-site-key", siteKey);
  script.textContent = source;
  Object.defineProperty(document, "currentScript", { get: () => script, configurable: true });
  new Function(source)();
  const result = await window.Vafa.subscribe("web-1");
  return {result, keyBytes: calls};
}"""


def test_the_snippet_subscribes_a_customer_through_the_api_with_the_site_key(
    browser: Browser,
    shop: Shop,
) -> None:
    assert shop.call("PUT", "/v1/customers/web-1", {"name": "سارا"}).status_code == 201
    source = requests.get(f"{shop.base}/vafa-subscribe.js", timeout=10).text
    page = browser.new_page()
    page.goto(f"{shop.base}/dashboard")
    done = page.evaluate(SUBSCRIBE, [source, shop.base, shop.keys["site_key"]])
    assert done["result"] == {"subscribed": True}
    assert done["keyBytes"] == [65]  # the merchant's VAPID public key, an uncompressed P-256 point
    customer = shop.call("GET", "/v1/customers/web-1").json()
    assert customer["consent"]["push"] is True
    page.close()


def test_the_snippet_speaks_the_routes_and_headers_the_api_documents(shop: Shop) -> None:
    source = requests.get(f"{shop.base}/vafa-subscribe.js", timeout=10).text
    document = requests.get(f"{shop.base}/openapi.json", timeout=10).json()
    for path in ("/v1/push/vapid-public-key", "/v1/push-subscriptions"):
        assert path in document["paths"] and f'"{path}"' in source
    assert document["components"]["securitySchemes"]["siteKey"]["name"] in source
    assert json.dumps("X-Site-Key") in source
