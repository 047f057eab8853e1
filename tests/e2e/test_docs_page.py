"""`/docs` in headless Chromium: Swagger UI draws every documented operation, with nothing fetched
from outside the API."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Browser

from tests.e2e.conftest import Shop

pytestmark = pytest.mark.xdist_group("browser")


def test_swagger_ui_draws_every_operation_offline(browser: Browser, shop: Shop) -> None:
    document = requests.get(f"{shop.base}/openapi.json", timeout=10).json()
    operations = sum(len(methods) for methods in document["paths"].values())
    page = browser.new_page()
    outside: list[str] = []
    page.on(
        "request", lambda request: None if request.url.startswith(shop.base) else outside.append(request.url)
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{shop.base}/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() == operations
    assert page.locator(".opblock-summary-path", has_text="/v1/purchases").count() >= 1
    page.locator(".opblock-post", has_text="/v1/purchases").first.click()
    page.wait_for_selector(".opblock-body", timeout=10_000)
    assert "order_id" in page.locator(".opblock-body").first.inner_text()
    assert outside == [] and errors == []
    page.close()
