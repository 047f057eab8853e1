"""The merchant dashboard in a real headless Chromium (Debian's), driven by Playwright, and its sign-in.

A shop with a known history is seeded over the HTTP API and the metrics schedule runs; the page must
show that shop's numbers in Persian (RTL, Persian digits, Jalali dates), reload for another date range,
switch to English, and sign in with a short-lived link or with the API key. Screenshots are kept in
`test-artifacts/`. The sign-in tokens are checked over HTTP: expiry, purpose, read-only scope, tenant.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jdatetime
import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from vafa.i18n.persian import format_date
from vafa_dev.local.stack import LocalStack

from tests.clock import day
from tests.e2e.conftest import Shop

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NOW = datetime.now(UTC).replace(microsecond=0)
# Days before now of each customer's purchases: a buys three times, b twice, c once.
HISTORY = {"a": [120, 90, 10], "b": [60, 30], "c": [45]}
TEHRAN = timedelta(hours=3, minutes=30)  # Asia/Tehran, all year since 2022

pytestmark = pytest.mark.xdist_group("browser")


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def run_metrics(base: str) -> None:
    ran = requests.post(
        f"{base}/_local/schedules/metrics/run", json={"time": stamp(NOW + timedelta(minutes=1))}, timeout=60
    )
    assert ran.status_code == 200, ran.text


@pytest.fixture
def seeded(shop: Shop) -> Shop:
    """Given a shop whose three customers bought on known days (2,000,000 rials each), and a metrics run."""
    for customer, days in HISTORY.items():
        for n, ago in enumerate(days):
            answer = shop.call(
                "POST",
                "/v1/purchases",
                {
                    "order_id": f"{customer}{n}",
                    "customer_id": customer,
                    "amount": 2_000_000,
                    "occurred_at": stamp(NOW - timedelta(days=ago)),
                },
            )
            assert answer.status_code == 201, answer.text
    run_metrics(shop.base)
    return shop


def vafa_cli(stack: LocalStack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vafa_dev.cli", "--endpoint", stack.url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def login_link(stack: LocalStack, merchant_id: str, *extra: str) -> str:
    done = vafa_cli(stack, "dashboard-link", merchant_id, *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def login_token(stack: LocalStack, merchant_id: str) -> str:
    return login_link(stack, merchant_id).split("#login=", 1)[1]


def session_for(shop: Shop, stack: LocalStack) -> str:
    token = login_token(stack, shop.keys["merchant_id"])
    answer = requests.post(f"{shop.base}/v1/dashboard/session", json={"token": token}, timeout=10)
    assert answer.status_code == 201, answer.text
    session: str = answer.json()["session"]
    return session


def open_page(browser: Browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fa-IR")
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=20_000)
    # The stylesheet applied (the page's own file: the strict CSP allows nothing else).
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(243, 245, 249)"
    return page


def text(page: Page, testid: str) -> str:
    return page.get_by_test_id(testid).inner_text()


def jalali_input(day: date) -> str:
    return format_date(day, "fa", numeric=True)


# ---------------------------------------------------------------------------------------------------
# The page in a browser
# ---------------------------------------------------------------------------------------------------


def test_the_dashboard_shows_the_shops_numbers_in_persian_and_switches_to_english(
    browser: Browser, seeded: Shop, stack: LocalStack
) -> None:
    link = login_link(stack, seeded.keys["merchant_id"])
    assert "/dashboard#login=" in link and seeded.keys["api_key"] not in link

    page = open_page(browser, link)

    assert "#login" not in page.url  # the token left the address bar at once
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "fa"
    assert text(page, "stat-customers").endswith("۳")  # three customers, in Persian digits
    assert "۶۶٫۷٪" in text(page, "stat-repeat")  # two of three bought again
    assert [text(page, f"funnel-count-{n}") for n in (1, 2, 3)] == ["۳", "۲", "۱"]
    assert "۳۳٫۳٪" in text(page, "funnel-drop-2") and "۵۰٪" in text(page, "funnel-drop-3")
    assert "۲۰۰٬۰۰۰ تومان" in text(page, "stat-aov")  # 2,000,000 rials, shown in Toman
    assert "۶۰٬۰۰۰ تومان" in text(page, "wallet-earned")  # 5% cashback on six orders, in Toman
    assert "۳۰" in text(page, "median")  # gaps of 30, 30 and 80 days
    # Cohort rows: one per Jalali month of a first purchase (Tehran's calendar), named by that month.
    first = (NOW - timedelta(days=120)).date()
    jalali_first = jdatetime.date.fromgregorian(date=(NOW - timedelta(days=120) + TEHRAN).date())
    row = page.get_by_test_id(f"cohort-j-{jalali_first.year:04d}-{jalali_first.month:02d}")
    expect(row).to_contain_text(format_date(jalali_first.togregorian(), "fa").split(" ", 1)[1])
    expect(row.locator("td").first).to_have_text("۱")
    months = {
        jdatetime.date.fromgregorian(date=(NOW - timedelta(days=d) + TEHRAN).date()) for d in (120, 60, 45)
    }
    assert page.locator("[data-testid^=cohort-j-]").count() == len({(m.year, m.month) for m in months})
    # Dates in the range picker and the last run are Jalali with Persian digits.
    assert page.get_by_test_id("to").input_value() == jalali_input(NOW.date())
    assert format_date(NOW.date(), "fa") in text(page, "asof")
    # A link without a role is a viewer's: the page says so and offers no change.
    expect(page.get_by_test_id("viewer-note")).to_be_visible()
    expect(page.get_by_test_id("messages")).to_contain_text("هنوز پیامی فرستاده نشده است")
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar belongs at the top of the picture
    page.screenshot(path=str(ARTIFACTS / "dashboard-fa.png"), full_page=True)

    page.get_by_test_id("lang").click()

    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.evaluate("localStorage.getItem('vafa.lang')") == "en"
    expect(page.get_by_text("Purchase-count funnel")).to_be_visible()
    assert text(page, "stat-customers").endswith("3")
    assert "66.7%" in text(page, "stat-repeat")
    assert "200,000 Toman" in text(page, "stat-aov")
    assert page.get_by_test_id("to").input_value() == NOW.date().isoformat()
    expect(page.get_by_test_id(f"cohort-{first:%Y-%m}")).to_contain_text(f"{first:%b %Y}"[:3])
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)

    page.reload()  # the language choice is remembered
    expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=20_000)
    assert page.evaluate("document.documentElement.dir") == "ltr"
    page.close()


def test_a_jalali_date_range_reloads_the_numbers(browser: Browser, seeded: Shop, stack: LocalStack) -> None:
    page = open_page(browser, login_link(stack, seeded.keys["merchant_id"]))
    new, orders = (page.get_by_test_id(f"stat-{key}").locator(".value") for key in ("new", "orders"))
    expect(new).to_have_text("۳")
    expect(orders).to_have_text("۶")

    # From 50 days ago, typed as a Jalali date: c is the only new customer; orders 45, 30, 10 days ago.
    page.get_by_test_id("from").fill(jalali_input((NOW - timedelta(days=50)).date()))
    page.get_by_test_id("apply").click()

    expect(new).to_have_text("۱")
    expect(orders).to_have_text("۳")
    assert text(page, "stat-customers").endswith("۳")  # all-time figures stay

    page.get_by_test_id("from").fill("۱۴۰۴/۱۲/۳۰")  # Esfand 30 does not exist in 1404
    page.get_by_test_id("apply").click()
    expect(page.locator("#range-error")).not_to_be_empty()
    expect(orders).to_have_text("۳")
    page.close()


def test_message_rows_translate_kinds_and_show_lift_in_points(
    browser: Browser, seeded: Shop, stack: LocalStack
) -> None:
    """The metrics body is the shop's own, with message and campaign rows added on the way to the page."""
    session = session_for(seeded, stack)
    body = requests.get(
        f"{seeded.base}/v1/metrics", headers={"Authorization": f"Bearer {session}"}, timeout=10
    ).json()
    row = {"sent": 120, "suppressed": 4, "failed": 1, "clicked": 30, "converted": 12, "revenue": 24_000_000}
    body["messages"] = {
        "win_back": {
            **row,
            "holdout_lift": 0.125,
            "holdout_sample": {"messaged": 120, "holdout": 40},
            "holdout_lift_interval": [-0.02, 0.27],
            "holdout_enough_data": True,
        },
        # A holdout of two: the page says so instead of a bold "+50 pts"
        "abandoned_cart": {
            **row,
            "holdout_lift": 0.5,
            "holdout_sample": {"messaged": 120, "holdout": 2},
            "holdout_lift_interval": [-0.2, 1.0],
            "holdout_enough_data": False,
            "holdout_min_sample": 30,
        },
        "birthday": {**row, "holdout_lift": None, "holdout_sample": {"messaged": 120, "holdout": 0}},
    }
    body["campaigns"] = {
        "c-1": {**row, "holdout_lift": -0.05, "holdout_sample": {"messaged": 120, "holdout": 20}}
    }
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/v1/metrics?*", lambda route: route.fulfill(json=body))
    page.goto(login_link(stack, seeded.keys["merchant_id"]))
    expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=20_000)

    win_back = page.get_by_test_id("message-win_back")
    expect(win_back).to_contain_text("بازگرداندن مشتری")
    expect(win_back.get_by_test_id("lift")).to_have_text("+۱۲٫۵ واحد درصد")
    expect(win_back).to_contain_text("۱۲۰ گیرنده · ۴۰ شاهد")
    expect(win_back.get_by_test_id("lift-interval")).to_have_text("بازه: −۲ تا +۲۷")
    small = page.get_by_test_id("message-abandoned_cart")
    expect(small.get_by_test_id("lift")).to_have_text("دادهٔ کافی نیست")
    expect(small).to_contain_text("دست‌کم ۳۰ نفر در هر گروه لازم است")
    expect(small).to_contain_text("۱۲۰ گیرنده · ۲ شاهد")
    expect(win_back).to_contain_text("۲٬۴۰۰٬۰۰۰ تومان")
    expect(page.get_by_test_id("message-birthday")).to_contain_text("تبریک تولد")
    expect(page.get_by_test_id("message-birthday").locator("td.lift")).to_have_text("—")
    expect(page.get_by_test_id("campaign-c-1").get_by_test_id("lift")).to_have_text("−۵ واحد درصد")

    page.get_by_test_id("lang").click()
    expect(win_back).to_contain_text("Win-back")
    expect(win_back.get_by_test_id("lift")).to_have_text("+12.5 pts")
    expect(win_back).to_contain_text("120 messaged · 40 holdout")
    expect(win_back.get_by_test_id("lift-interval")).to_have_text("interval −2 to +27")
    expect(small.get_by_test_id("lift")).to_have_text("Not enough data")
    page.screenshot(path=str(ARTIFACTS / "dashboard-lift-en.png"), full_page=True)
    page.close()


def test_signing_in_with_the_api_key_and_refusing_a_bad_one(browser: Browser, seeded: Shop) -> None:
    page = browser.new_page()
    page.goto(f"{seeded.base}/dashboard")
    expect(page.locator("#signin")).to_be_visible()

    page.locator("#key").fill("vafa_sk_not_a_key")
    page.locator("#signin-form button").click()
    expect(page.locator("#signin-error")).not_to_be_empty(timeout=10_000)
    assert page.locator("#board").is_hidden()

    page.locator("#key").fill(seeded.keys["api_key"])
    page.locator("#signin-form button").click()
    expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=20_000)
    assert seeded.keys["api_key"] not in page.url
    assert text(page, "stat-customers").endswith("۳")
    assert page.get_by_test_id("viewer-note").is_hidden()  # the API key may change everything the panel does

    page.locator("#signout").click()
    expect(page.locator("#signin")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('vafa.auth')") is None
    page.close()


def test_the_page_says_so_before_the_first_metrics_run(
    browser: Browser, shop: Shop, stack: LocalStack
) -> None:
    page = open_page(browser, login_link(stack, shop.keys["merchant_id"]))

    expect(page.get_by_test_id("empty")).to_be_visible()
    assert text(page, "stat-customers").endswith("۰")
    page.close()


def test_an_expired_link_in_the_browser_shows_the_sign_in_form(browser: Browser, shop: Shop) -> None:
    from vafa.auth.dashboard import login_token as sign_login

    stale = sign_login(shop.keys["merchant_id"], NOW - timedelta(hours=1), minutes=15)
    page = browser.new_page()
    page.goto(f"{shop.base}/dashboard#login={stale}")

    expect(page.locator("#signin-error")).not_to_be_empty(timeout=10_000)
    assert "#login" not in page.url and page.locator("#board").is_hidden()
    page.close()


# ---------------------------------------------------------------------------------------------------
# The tokens, over HTTP
# ---------------------------------------------------------------------------------------------------


def test_the_page_and_its_files_are_public_strict_and_hold_no_key(shop: Shop) -> None:
    page = requests.get(f"{shop.base}/dashboard", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="fa" dir="rtl">' in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    for name, kind in (("app.js", "application/javascript"), ("app.css", "text/css")):
        asset = requests.get(f"{shop.base}/dashboard/{name}", timeout=10)
        assert asset.status_code == 200 and asset.headers["Content-Type"].startswith(kind)
        assert "vafa_sk_" not in asset.text and "http://" not in asset.text.replace("http://www.w3.org", "")
    assert requests.get(f"{shop.base}/dashboard/dashboard.js", timeout=10).status_code == 404
    assert requests.get(f"{shop.base}/dashboard/__init__.py", timeout=10).status_code == 404


def test_the_cli_link_uses_the_base_url_and_knows_its_merchants(seeded: Shop, stack: LocalStack) -> None:
    link = login_link(
        stack, seeded.keys["merchant_id"], "--base-url", "https://shop.example/api/", "--minutes", "5"
    )
    assert link.startswith("https://shop.example/api/dashboard#login=")

    unknown = vafa_cli(stack, "dashboard-link", "m_does_not_exist")
    assert unknown.returncode == 1 and not unknown.stdout


def test_a_viewer_session_reads_the_panel_but_never_writes(seeded: Shop, stack: LocalStack) -> None:
    session = session_for(seeded, stack)
    as_session = {"Authorization": f"Bearer {session}"}

    def call(method: str, path: str, body: Any = None) -> int:
        return requests.request(
            method, seeded.base + path, json=body, headers=as_session, timeout=10
        ).status_code

    assert call("GET", f"/v1/metrics?from={day(-2000)}") == 200
    assert call("GET", "/v1/program") == 200
    assert call("GET", "/v1/segments") == 200
    assert call("GET", "/v1/campaigns") == 200
    assert call("GET", "/v1/campaigns/none") == 404  # read routes answer as for the key
    assert call("GET", "/v1/customers/a") == 200  # the panel's customer screen reads
    assert call("GET", "/v1/audit") == 200
    assert call("POST", "/v1/segments/preview", {"segment": "all"}) == 200  # a read sent as POST
    # What no session may do, whatever its role: the shop's own traffic and customers' credentials.
    purchase = {"order_id": "x", "customer_id": "a", "amount": 5}
    assert call("POST", "/v1/purchases", purchase) == 401
    assert call("POST", "/v1/redemptions", {"redemption_id": "r", "customer_id": "a", "amount": 1}) == 401
    assert call("POST", "/v1/customers/a/token", {}) == 401
    # What a manager may change, a viewer is refused with a code the page can explain.
    assert call("PUT", "/v1/program", {"cashback_rate_bps": 10_000}) == 403
    campaign = {"campaign_id": "c1", "name": "x", "segment": "all", "template": {"fa": "سلام"}}
    assert call("POST", "/v1/campaigns", campaign) == 403
    refused = requests.put(
        seeded.base + "/v1/program", json={"cashback_rate_bps": 1}, headers=as_session, timeout=10
    ).json()
    assert refused["error"]["code"] == "read_only_session"
    # Nothing moved: still six orders, and no campaign.
    assert seeded.call("GET", "/v1/customers/a").json()["purchases_count"] == 3
    assert seeded.call("GET", "/v1/campaigns").json()["items"] == []


def test_a_login_token_is_not_a_session_and_a_session_is_not_a_login(seeded: Shop, stack: LocalStack) -> None:
    login = login_token(stack, seeded.keys["merchant_id"])

    for bearer in (login, f"vds.{login}"):
        answer = requests.get(
            f"{seeded.base}/v1/metrics", headers={"Authorization": f"Bearer {bearer}"}, timeout=10
        )
        assert answer.status_code == 401, bearer

    session = session_for(seeded, stack)
    again = requests.post(
        f"{seeded.base}/v1/dashboard/session", json={"token": session.removeprefix("vds.")}, timeout=10
    )
    assert again.status_code == 401


def test_expired_or_forged_tokens_are_refused(seeded: Shop, stack: LocalStack) -> None:
    from vafa.auth.dashboard import SESSION_PREFIX, SESSION_PURPOSE
    from vafa.auth.dashboard import login_token as sign_login
    from vafa.messaging import links

    merchant = seeded.keys["merchant_id"]
    stale = sign_login(merchant, NOW - timedelta(hours=1), minutes=15)
    answer = requests.post(f"{seeded.base}/v1/dashboard/session", json={"token": stale}, timeout=10)
    assert answer.status_code == 401 and answer.json()["error"]["code"]

    old_session = SESSION_PREFIX + links.sign(
        SESSION_PURPOSE, {"m": merchant, "x": int((NOW - timedelta(minutes=1)).timestamp())}
    )
    metrics = requests.get(
        f"{seeded.base}/v1/metrics", headers={"Authorization": f"Bearer {old_session}"}, timeout=10
    )
    assert metrics.status_code == 401

    body, _, mac = login_token(stack, merchant).partition(".")
    forged = requests.post(
        f"{seeded.base}/v1/dashboard/session", json={"token": body + "x." + mac}, timeout=10
    )
    assert forged.status_code == 401
    other_key = links.sign("dl", {"m": merchant, "x": int(NOW.timestamp()) + 600}, b"not the deployment key")
    assert (
        requests.post(
            f"{seeded.base}/v1/dashboard/session", json={"token": other_key}, timeout=10
        ).status_code
        == 401
    )
    assert requests.post(f"{seeded.base}/v1/dashboard/session", json={}, timeout=10).status_code == 422


def test_a_session_sees_only_its_own_merchant(seeded: Shop, stack: LocalStack) -> None:
    keys = requests.post(f"{stack.url}/_local/merchants", json={"name": "دیگری"}, timeout=10).json()
    other = Shop(stack.url, keys)
    assert (
        other.call("POST", "/v1/purchases", {"order_id": "o1", "customer_id": "z", "amount": 10}).status_code
        == 201
    )
    run_metrics(stack.url)

    def metrics(session: str) -> dict[str, Any]:
        answer = requests.get(
            f"{stack.url}/v1/metrics", headers={"Authorization": f"Bearer {session}"}, timeout=10
        )
        assert answer.status_code == 200
        body: dict[str, Any] = answer.json()
        return body

    assert metrics(session_for(seeded, stack))["customers"]["total"] == 3
    theirs = session_for(other, stack)
    assert metrics(theirs)["customers"]["total"] == 1
    headers = {"Authorization": f"Bearer {theirs}"}
    segments = requests.get(f"{stack.url}/v1/segments", headers=headers, timeout=10).json()
    assert segments["customers"] == 1


def test_sessions_of_two_merchants_never_mix_even_when_requests_overlap(
    shop: Shop, stack: LocalStack
) -> None:
    """The page reads four routes at once; overlapping requests of two shops must each get their own."""
    others = requests.post(f"{stack.url}/_local/merchants", json={"name": "دوم"}, timeout=10).json()
    shops = {100: shop, 200: Shop(stack.url, others)}
    sessions = {}
    for rate, each in shops.items():
        assert each.call("PUT", "/v1/program", {"cashback_rate_bps": rate}).status_code == 200
        sessions[rate] = session_for(each, stack)

    def read(i: int) -> tuple[int, int, int | None]:
        rate = (100, 200)[i % 2]
        answer = requests.get(
            f"{stack.url}/v1/program", headers={"Authorization": f"Bearer {sessions[rate]}"}, timeout=30
        )
        return rate, answer.status_code, answer.json().get("cashback_rate_bps")

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(read, range(160)))

    assert all(status == 200 and seen == rate for rate, status, seen in answers), [
        a for a in answers if a[1] != 200 or a[0] != a[2]
    ]
