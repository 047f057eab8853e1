"""The local stack (what `make run` starts), driven over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, sync_playwright
from vafa.secrets import merchant_secret_name, put_parameter
from vafa_dev.local.fake_sms import FakeSmsServer
from vafa_dev.local.stack import LocalStack

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def stack(table: str) -> Iterator[LocalStack]:
    local = LocalStack(port=0)
    local.start()
    yield local
    local.stop()


class Shop:
    """A shop's developer: one merchant's keys and a session that speaks JSON to the stack."""

    def __init__(self, base: str, keys: dict[str, str]) -> None:
        self.base = base
        self.keys = keys
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {keys['api_key']}"

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.http.request(method, self.base + path, json=body, timeout=30, **kw)

    def browser_headers(self, customer_id: str | None = None) -> dict[str, str]:
        """What the shop's page sends: the public site key and, for a signed-in customer, the
        customer token the shop's server minted for them."""
        headers = {"X-Site-Key": self.keys["site_key"]}
        if customer_id is not None:
            minted = self.call("POST", f"/v1/customers/{customer_id}/token", {"ttl_minutes": 30})
            assert minted.status_code == 201, minted.text
            headers["X-Customer-Token"] = minted.json()["token"]
        return headers


@pytest.fixture
def shop(stack: LocalStack) -> Shop:
    keys = requests.post(f"{stack.url}/_local/merchants", json={"name": "فروشگاه نمونه"}, timeout=10)
    assert keys.status_code == 201
    return Shop(stack.url, keys.json())


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def kavenegar() -> Iterator[FakeSmsServer]:
    server = FakeSmsServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sms_shop(shop: Shop, kavenegar: FakeSmsServer) -> Shop:
    """A shop that sends SMS through Kavenegar (the local stand-in), with its key in SSM."""
    merchant = shop.keys["merchant_id"]
    put_parameter(merchant_secret_name(merchant, "sms-api-key"), "kavenegar-test-key")
    answer = shop.call(
        "PUT",
        "/v1/program",
        {
            "shop_name": "فروشگاه نمونه",
            "shop_url": "https://shop.example/",
            "channel_order": ["sms", "email", "push"],
            "sms": {"provider": "kavenegar", "sender": "10004346", "base_url": kavenegar.kavenegar_url},
        },
    )
    assert answer.status_code == 200, answer.text
    return shop
