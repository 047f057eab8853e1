"""The service worker and the subscribe snippet a shop pastes into its site, run in headless Chromium.

The push service itself cannot be reached offline, so the browser's push plumbing is stood in at the
edges: the service worker's `self` receives a push event carrying the JSON Vafa's sender sends, and
the snippet runs against a `PushManager` that hands back a fixed subscription; everything between
(parsing, the notification's text and direction, the calls to the API) is the real code.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser

from tests.e2e.conftest import Shop

pytestmark = pytest.mark.xdist_group("browser")

FILES = ("vafa-sw.js", "vafa-subscribe.js")

RUN_WORKER = """async (source) => {
  const listeners = {}, shown = [], opened = [], lifecycle = [];
  const self = {
    addEventListener: (name, fn) => { listeners[name] = fn; },
    skipWaiting: async () => { lifecycle.push("skipWaiting"); },
    registration: { showNotification: async (title, options) => { shown.push({title, options}); } },
    clients: { matchAll: async () => [], openWindow: async (url) => { opened.push(url); },
               claim: async () => { lifecycle.push("claim"); } },
  };
  new Function("self", source)(self);
  const waits = [];
  const push = (payload) => listeners.push({ data: { json: () => payload }, waitUntil: (p) => waits.push(p) });
  push({title: "یادآوری", body: "اعتبار شما رو به پایان است", url: "https://shop.example/r/x", tag: "vafa-1"});
  push({title: "Other app", body: "not ours", tag: "other-1"});
  push({title: "Other app", body: "not ours either, and untagged"});
  push({title: "Reminder", body: "Your credit expires", url: "https://shop.example/r/y", tag: "vafa-2", dir: "ltr"});
  push({title: "فروشگاه نمونه", body: "Your 12,000 toman expire tomorrow", url: "javascript:alert(1)", tag: "vafa-3"});
  listeners.push({ data: null, waitUntil: (p) => waits.push(p) });  // a push without a payload
  await Promise.all(waits);
  const click = { notification: { data: shown[0].options.data, close: () => {} }, waitUntil: (p) => waits.push(p) };
  listeners.notificationclick(click);
  await Promise.all(waits);
  return {listeners: Object.keys(listeners).sort(), shown, opened, lifecycle};
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
    assert result["lifecycle"] == []  # never takes over from a shop's own worker
    shown = result["shown"]
    assert [s["title"] for s in shown] == [
        "یادآوری",
        "Reminder",
        "فروشگاه نمونه",
    ]  # others' pushes left alone
    assert [s["options"]["dir"] for s in shown] == [
        "rtl",
        "ltr",
        "ltr",
    ]  # Persian text; payload; English body
    assert [s["options"]["tag"] for s in shown] == [
        "vafa-1",
        "vafa-2",
        "vafa-3",
    ]  # a resend replaces, not stacks
    assert shown[2]["options"]["data"]["url"] == "/"  # only http(s) links are ever opened
    assert result["opened"] == ["https://shop.example/r/x"]
    page.close()


SUBSCRIBE = """async ([source, api, siteKey, token]) => {
  const calls = [], keyLengths = [];
  const subscription = { toJSON: () => ({endpoint: "https://fcm.googleapis.com/fcm/send/abc",
                                         keys: {p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", auth: "tBHItJI5svbpez7KI4CCXg"}}) };
  const registration = { pushManager: { getSubscription: async () => null,
                                        subscribe: async (options) => { keyLengths.push([options.userVisibleOnly, options.applicationServerKey.length]); return subscription; } } };
  Object.defineProperty(navigator, "serviceWorker", { value: { getRegistration: async () => registration, register: async () => registration, ready: Promise.resolve(registration) } });
  window.PushManager = function () {};
  window.Notification = { requestPermission: async () => "granted" };
  const realFetch = window.fetch.bind(window);
  window.fetch = (url, options) => {
    options = options || {};
    calls.push({method: options.method || "GET", url: String(url), headers: Object.keys(options.headers || {}),
                body: options.body ? Object.keys(JSON.parse(options.body)) : null});
    return realFetch(url, options);
  };
  const script = document.createElement("script");
  script.setAttribute("data-api", api);
  script.setAttribute("data-site-key", siteKey);
  if (token) script.setAttribute("data-customer-token", token);
  script.textContent = source;
  Object.defineProperty(document, "currentScript", { get: () => script, configurable: true });
  new Function(source)();
  const result = await window.Vafa.subscribe();
  return {result, keyLengths, calls, visitor: window.Vafa.visitorId()};
}"""


def _site_key_operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The operations the OpenAPI document says take the public site key: what a shop page may call."""
    return {
        (method.upper(), path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if operation.get("security") == [{"siteKey": []}]
    }


def _schema(document: dict[str, Any], ref_or_schema: dict[str, Any]) -> dict[str, Any]:
    ref = ref_or_schema.get("$ref", "")
    schema: dict[str, Any] = (
        document["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema
    )
    return schema


def test_the_snippet_subscribes_through_exactly_the_routes_and_header_the_api_documents(
    browser: Browser,
    shop: Shop,
) -> None:
    assert shop.call("PUT", "/v1/customers/web-1", {"name": "سارا"}).status_code == 201
    source = requests.get(f"{shop.base}/vafa-subscribe.js", timeout=10).text
    document = requests.get(f"{shop.base}/openapi.json", timeout=10).json()
    page = browser.new_page()
    page.goto(f"{shop.base}/dashboard")
    token = shop.browser_headers("web-1")["X-Customer-Token"]
    done = page.evaluate(SUBSCRIBE, [source, shop.base, shop.keys["site_key"], token])
    page.close()
    # Bound to the customer the shop's server vouched for, with the browser's visitor id.
    assert done["result"] == {"subscribed": True, "customer_id": "web-1", "visitor_id": done["visitor"]}
    # userVisibleOnly, and the merchant's VAPID public key: an uncompressed P-256 point
    assert done["keyLengths"] == [[True, 65]]
    assert shop.call("GET", "/v1/customers/web-1").json()["consent"]["push"] is True

    # The push routes among the browser routes (the events and the wallet have tests of their own,
    # tests/e2e/test_customer_side.py).
    documented = {op: spec for op, spec in _site_key_operations(document).items() if "/push" in op[1]}
    called = {(c["method"], c["url"].removeprefix(shop.base)): c for c in done["calls"]}
    assert set(called) == set(documented)  # every push route, and nothing that needs the secret key
    header = document["components"]["securitySchemes"]["siteKey"]["name"]
    for (method, path), call in called.items():
        assert header in call["headers"], f"{method} {path} without {header}"
        body = documented[(method, path)].get("requestBody")
        if body:
            schema = _schema(document, body["content"]["application/json"]["schema"])
            assert set(schema["required"]) <= set(call["body"]), f"{method} {path} misses a required field"


def test_without_a_customer_token_the_snippet_subscribes_the_visitor_anonymously(
    browser: Browser, shop: Shop
) -> None:
    assert shop.call("PUT", "/v1/customers/web-2", {"name": "سارا"}).status_code == 201
    source = requests.get(f"{shop.base}/vafa-subscribe.js", timeout=10).text
    page = browser.new_page()
    page.goto(f"{shop.base}/dashboard")
    done = page.evaluate(SUBSCRIBE, [source, shop.base, shop.keys["site_key"], None])
    page.close()
    assert done["result"] == {"subscribed": True, "customer_id": None, "visitor_id": done["visitor"]}
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,64}", done["visitor"])
    assert all("X-Customer-Token" not in c["headers"] for c in done["calls"])
    # Nobody's consent changed: an anonymous browser is no customer's.
    assert shop.call("GET", "/v1/customers/web-2").json()["consent"]["push"] is not True


def test_both_files_are_javascript_cached_for_an_hour_and_the_worker_may_serve_a_whole_site(
    shop: Shop,
) -> None:
    for name in FILES:
        answer = requests.get(f"{shop.base}/{name}", timeout=10)
        assert answer.status_code == 200, name
        media_type = answer.headers["Content-Type"].split(";")[0].strip()
        assert media_type in ("application/javascript", "text/javascript"), name
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        # Browsers re-check a worker's scripts at least daily whatever the header says; an hour lets a
        # fix reach every shop the same day without each page view fetching the file again.
        max_age = re.search(r"max-age=(\d+)", answer.headers["Cache-Control"])
        assert max_age and 0 < int(max_age.group(1)) <= 86400, answer.headers["Cache-Control"]
        # What is served is the file the package ships (the Lambda layer and the wheel both carry it).
        assert answer.text == resources.files("vafa.web").joinpath(name).read_text(encoding="utf-8")
    worker = requests.get(f"{shop.base}/vafa-sw.js", timeout=10)
    assert worker.headers["Service-Worker-Allowed"] == "/"  # within the registering origin: scope of the site
    snippet = requests.get(f"{shop.base}/vafa-subscribe.js", timeout=10)
    assert "Service-Worker-Allowed" not in snippet.headers


def test_the_worker_only_adds_push_and_click_listeners(shop: Shop) -> None:
    source = requests.get(f"{shop.base}/vafa-sw.js", timeout=10).text
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.S)  # the header comment names what it does not do
    assert set(re.findall(r"addEventListener\(\s*[\"'](\w+)[\"']", code)) == {"push", "notificationclick"}
    for forbidden in ("skipWaiting(", ".claim(", "respondWith(", "importScripts("):
        assert forbidden not in code


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: the syntax check needs it")
@pytest.mark.parametrize("name", FILES)
def test_node_accepts_the_file_as_a_script(name: str, tmp_path: Path) -> None:
    script = tmp_path / name
    script.write_text(
        resources.files("vafa.web").joinpath(name).read_text(encoding="utf-8"), encoding="utf-8"
    )
    checked = subprocess.run(
        ["node", "--check", str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert checked.returncode == 0, checked.stderr
