"""The merchant dashboard in a real headless Chromium (Debian's), driven by Playwright.

A shop with a known history is seeded over the HTTP API and the metrics schedule runs; the page must
show that shop's numbers in Persian (RTL, Persian digits), switch to English, and sign in with a
short-lived link or with the API key. Screenshots are kept in `test-artifacts/`.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from vafa.local.stack import LocalStack

from tests.e2e.conftest import Shop

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
NOW = datetime.now(UTC).replace(microsecond=0)

pytestmark = pytest.mark.xdist_group("browser")


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def seeded(shop: Shop) -> Shop:
    """Three customers: two buy again (one three times), one buys once; then the metrics run."""
    history = {"a": [120, 90, 10], "b": [60, 30], "c": [45]}
    for customer, days in history.items():
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
    ran = requests.post(
        f"{shop.base}/_local/schedules/metrics/run",
        json={"time": stamp(NOW + timedelta(minutes=1))},
        timeout=60,
    )
    assert ran.status_code == 200, ran.text
    return shop


def login_link(stack: LocalStack, merchant_id: str, minutes: int = 15) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "vafa.cli",
            "--endpoint",
            stack.url,
            "dashboard-link",
            merchant_id,
            "--minutes",
            str(minutes),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def open_page(browser: Browser, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 1800})
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=20_000)
    return page


def text(page: Page, testid: str) -> str:
    return page.get_by_test_id(testid).inner_text()


def test_the_dashboard_shows_the_shops_numbers_in_persian_and_switches_to_english(
    browser: Browser, seeded: Shop, stack: LocalStack
) -> None:
    link = login_link(stack, seeded.keys["merchant_id"])
    assert "#login=" in link and seeded.keys["api_key"] not in link
    page = open_page(browser, link)
    assert "#login" not in page.url  # the token leaves the address bar at once
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert "۳" in text(page, "stat-customers")  # three customers, in Persian digits
    assert "۶۶٫۷" in text(page, "stat-repeat")  # two of three bought again
    funnel = [text(page, f"funnel-{n}") for n in (1, 2, 3)]
    assert "۳" in funnel[0] and "۲" in funnel[1] and "۱" in funnel[2]
    assert "۲۰۰٬۰۰۰ تومان" in text(page, "stat-aov")  # 2,000,000 rials, shown in Toman
    cohort_rows = page.locator("[data-testid^=cohort-]")
    assert cohort_rows.count() >= 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-fa.png"), full_page=True)

    page.get_by_test_id("lang").click()
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.get_by_text("Purchase-count funnel").is_visible()
    assert text(page, "stat-customers").endswith("3")
    assert "66.7%" in text(page, "stat-repeat")
    assert "200,000 Toman" in text(page, "stat-aov")
    page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)
    page.close()


def test_signing_in_with_the_api_key_and_refusing_a_bad_one(browser: Browser, seeded: Shop) -> None:
    page = browser.new_page()
    page.goto(f"{seeded.base}/dashboard")
    page.locator("#key").fill("vafa_sk_not_a_key")
    page.locator("#signin-form button").click()
    expect(page.locator("#signin-error")).not_to_be_empty(timeout=10_000)
    page.locator("#key").fill(seeded.keys["api_key"])
    page.locator("#signin-form button").click()
    expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=20_000)
    assert seeded.keys["api_key"] not in page.url
    page.close()


def session_for(shop: Shop, stack: LocalStack) -> str:
    token = login_link(stack, shop.keys["merchant_id"]).split("#login=", 1)[1]
    answer = requests.post(f"{shop.base}/v1/dashboard/session", json={"token": token}, timeout=10)
    assert answer.status_code == 201, answer.text
    session: str = answer.json()["session"]
    return session


def test_a_dashboard_session_reads_insight_but_never_moves_money(seeded: Shop, stack: LocalStack) -> None:
    session = session_for(seeded, stack)
    as_session = {"Authorization": f"Bearer {session}"}

    def call(method: str, path: str, body: Any = None) -> int:
        return requests.request(
            method, seeded.base + path, json=body, headers=as_session, timeout=10
        ).status_code

    assert call("GET", "/v1/metrics") == 200
    assert call("GET", "/v1/segments") == 200
    assert call("GET", "/v1/program") == 200
    purchase = {"order_id": "x", "customer_id": "a", "amount": 5}
    assert call("POST", "/v1/purchases", purchase) == 401
    assert call("PUT", "/v1/program", {"cashback_rate_bps": 10_000}) == 401
    assert call("GET", "/v1/customers/a") == 401
    # The login token itself is not a session, and a session cannot open another session.
    login = login_link(stack, seeded.keys["merchant_id"]).split("#login=", 1)[1]
    assert (
        requests.get(
            f"{seeded.base}/v1/metrics", headers={"Authorization": f"Bearer vds.{login}"}, timeout=10
        ).status_code
        == 401
    )
    again = requests.post(
        f"{seeded.base}/v1/dashboard/session", json={"token": session.removeprefix("vds.")}, timeout=10
    )
    assert again.status_code == 401


def test_an_expired_or_forged_sign_in_link_is_refused(seeded: Shop, stack: LocalStack) -> None:
    from vafa.auth.dashboard import login_token

    stale = login_token(seeded.keys["merchant_id"], NOW - timedelta(hours=1), minutes=15)
    answer = requests.post(f"{seeded.base}/v1/dashboard/session", json={"token": stale}, timeout=10)
    assert answer.status_code == 401
    token = login_link(stack, seeded.keys["merchant_id"]).split("#login=", 1)[1]
    body, _, mac = token.partition(".")
    forged = requests.post(
        f"{seeded.base}/v1/dashboard/session", json={"token": body + "x." + mac}, timeout=10
    )
    assert forged.status_code == 401
    assert requests.post(f"{seeded.base}/v1/dashboard/session", json={}, timeout=10).status_code == 422


def test_a_session_sees_only_its_own_merchant(seeded: Shop, stack: LocalStack) -> None:
    other = requests.post(f"{stack.url}/_local/merchants", json={"name": "دیگری"}, timeout=10).json()
    session = session_for(Shop(stack.url, other), stack)
    metrics = requests.get(
        f"{seeded.base}/v1/metrics", headers={"Authorization": f"Bearer {session}"}, timeout=10
    )
    assert metrics.status_code == 200 and metrics.json()["customers"]["total"] == 0
