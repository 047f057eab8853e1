"""The OpenAPI document is the contract a shop's developer codes against: every answer must fit it.

The routes' answers are checked against the schemas `/openapi.json` publishes (types, required fields,
no field left undocumented), and bad query strings and bodies are refused with the field named.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Shop

_TYPES: dict[str, type | tuple[type, ...]] = {
    "integer": int,
    "number": (int, float),
    "string": str,
    "boolean": bool,
    "array": list,
    "object": dict,
}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def problems(document: dict[str, Any], value: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """Where `value` does not fit `schema` (the subset of JSON Schema the document uses)."""
    schema = _resolve(document, schema)
    if "anyOf" in schema:
        fits = [problems(document, value, option, where) for option in schema["anyOf"]]
        return [] if any(not found for found in fits) else fits[0]
    kind = schema.get("type")
    if kind == "null":
        return [] if value is None else [f"{where}: expected null"]
    if kind is not None and (
        not isinstance(value, _TYPES[kind]) or (kind in ("integer", "number") and value is True)
    ):
        return [f"{where or 'answer'}: expected {kind}, got {value!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    found: list[str] = []
    if (
        kind == "object"
        and "additionalProperties" in schema
        and isinstance(schema["additionalProperties"], dict)
    ):
        for key, entry in value.items():
            found += problems(document, entry, schema["additionalProperties"], f"{where}.{key}")
    if kind == "object" and "properties" in schema:
        found += [f"{where}.{key}: missing" for key in schema.get("required", []) if key not in value]
        found += [f"{where}.{key}: not documented" for key in value if key not in schema["properties"]]
        for key, entry in value.items():
            if key in schema["properties"]:
                found += problems(document, entry, schema["properties"][key], f"{where}.{key}")
    if kind == "array":
        for i, entry in enumerate(value):
            found += problems(document, entry, schema["items"], f"{where}[{i}]")
    return found


def _answer_schema(document: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    operation = document["paths"][path][method]
    return operation["responses"][str(status)]["content"]["application/json"]["schema"]


def test_every_answer_fits_the_published_schema(shop: Shop) -> None:
    document = requests.get(shop.base + "/openapi.json", timeout=10).json()
    customer = {
        "phone": "09121234567",
        "name": "سارا",
        "birthday": {"calendar": "jalali", "date": "1370-06-31"},
    }
    calls = [
        (
            "PUT",
            "/v1/customers/c-7",
            "/v1/customers/{customer_id}",
            {**customer, "consent": {"sms": True}},
            201,
        ),
        (
            "POST",
            "/v1/purchases",
            "/v1/purchases",
            {"order_id": "o-7", "customer_id": "c-7", "amount": 90_000},
            201,
        ),
        (
            "POST",
            "/v1/redemptions",
            "/v1/redemptions",
            {"redemption_id": "r-7", "customer_id": "c-7", "amount": 1_000, "order_id": "o-8"},
            201,
        ),
        ("POST", "/v1/purchases/o-7/refunds", "/v1/purchases/{order_id}/refunds", {"refund_id": "f-7"}, 201),
        ("GET", "/v1/customers/c-7", "/v1/customers/{customer_id}", None, 200),
        ("GET", "/v1/customers?phone=%2B989121234567", "/v1/customers", None, 200),
        ("GET", "/v1/customers/c-7/ledger?limit=2", "/v1/customers/{customer_id}/ledger", None, 200),
        ("GET", "/v1/customers/c-7/notifications", "/v1/customers/{customer_id}/notifications", None, 200),
        ("GET", "/v1/program", "/v1/program", None, 200),
        ("PUT", "/v1/program", "/v1/program", {"quiet_hours": {"start": "22:00"}}, 200),
    ]
    for method, url, path, body, status in calls:
        answer = shop.call(method, url, body)
        assert answer.status_code == status, (url, answer.text)
        schema = _answer_schema(document, path, method.lower(), status)
        assert problems(document, answer.json(), schema) == [], url
    refused = shop.call(
        "POST", "/v1/redemptions", {"redemption_id": "r-x", "customer_id": "c-7", "amount": 10**9}
    )
    assert refused.status_code == 409
    error_schema = document["paths"]["/v1/redemptions"]["post"]["responses"]["409"]["content"][
        "application/json"
    ]
    assert problems(document, refused.json(), error_schema["schema"]) == []


def _site_key_subscription(customer_id: str) -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    )
    return {
        "customer_id": customer_id,
        "endpoint": "https://fcm.googleapis.com/fcm/send/contract-test",
        "keys": {
            "p256dh": base64.urlsafe_b64encode(point).decode().rstrip("="),
            "auth": base64.urlsafe_b64encode(b"sixteen-byte-key").decode().rstrip("="),
        },
    }


def test_signals_campaigns_segments_and_metrics_fit_the_published_schema(shop: Shop, stack) -> None:
    document = requests.get(shop.base + "/openapi.json", timeout=10).json()
    purchase = {
        "order_id": "o-m",
        "customer_id": "c-m",
        "amount": 50_000,
        "customer": {"phone": "09351234567"},
    }
    assert shop.call("POST", "/v1/purchases", purchase).status_code == 201
    site = {"X-Site-Key": shop.keys["site_key"]}
    campaign = {
        "campaign_id": "k-m",
        "name": "یلدا",
        "segment": {"min_purchases": 1},
        "template": {"fa": "سلام"},
    }
    calls: list[tuple[str, str, str, Any, int, dict[str, str]]] = [
        (
            "PUT",
            "/v1/carts/k-1",
            "/v1/carts/{cart_id}",
            {"customer_id": "c-m", "total": 5, "items": [{"sku": "a"}]},
            201,
            {},
        ),
        ("GET", "/v1/push/vapid-public-key", "/v1/push/vapid-public-key", None, 200, site),
        (
            "POST",
            "/v1/customers/c-m/token",
            "/v1/customers/{customer_id}/token",
            {"ttl_minutes": 5},
            201,
            {},
        ),
        (
            "POST",
            "/v1/push-subscriptions",
            "/v1/push-subscriptions",
            _site_key_subscription("c-m"),
            201,
            shop.browser_headers("c-m"),
        ),
        ("POST", "/v1/campaigns", "/v1/campaigns", campaign, 201, {}),
        ("GET", "/v1/campaigns/k-m", "/v1/campaigns/{campaign_id}", None, 200, {}),
        ("GET", "/v1/campaigns", "/v1/campaigns", None, 200, {}),
        ("POST", "/v1/campaigns/k-m/cancel", "/v1/campaigns/{campaign_id}/cancel", None, 200, {}),
        ("GET", "/v1/segments", "/v1/segments", None, 200, {}),
        ("POST", "/v1/segments/preview", "/v1/segments/preview", {"segment": "new"}, 200, {}),
    ]
    for method, url, path, body, status, headers in calls:
        answer = shop.call(method, url, body, headers=headers) if headers else shop.call(method, url, body)
        assert answer.status_code == status, (url, answer.text)
        assert (
            problems(document, answer.json(), _answer_schema(document, path, method.lower(), status)) == []
        ), url
    # A minute from now, as the schedule would: the run reads the days since each merchant's last run.
    soon = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ran = requests.post(f"{stack.url}/_local/schedules/metrics/run", json={"time": soon}, timeout=120)
    assert ran.status_code == 200
    metrics = shop.call("GET", "/v1/metrics")
    assert metrics.status_code == 200 and metrics.json()["orders"] == 1
    assert problems(document, metrics.json(), _answer_schema(document, "/v1/metrics", "get", 200)) == []


def test_the_document_describes_bodies_parameters_and_keys(shop: Shop) -> None:
    document = requests.get(shop.base + "/openapi.json", timeout=10).json()
    purchase = document["paths"]["/v1/purchases"]["post"]
    body = _resolve(document, purchase["requestBody"]["content"]["application/json"]["schema"])
    assert body["required"] == ["order_id", "customer_id", "amount"]
    assert body["properties"]["amount"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 10**15,
        "description": "Integer amount in the smallest unit",
    }
    ledger = document["paths"]["/v1/customers/{customer_id}/ledger"]["get"]
    limit = next(p for p in ledger["parameters"] if p["name"] == "limit")
    assert limit["in"] == "query" and limit["schema"]["maximum"] == 200 and limit["schema"]["default"] == 50
    assert document["paths"]["/v1/push-subscriptions"]["post"]["security"] == [{"siteKey": []}]
    assert document["paths"]["/v1/feedback/{token}"]["post"]["security"] == []
    assert "security" not in purchase and document["security"] == [{"apiKey": []}]


def test_swagger_ui_is_served_whole_from_the_api(shop: Shop) -> None:
    page = requests.get(shop.base + "/docs", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in page.text and '"/v1/purchases"' in page.text
    assert "<script src=" not in page.text and "<link " not in page.text  # nothing from a CDN


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/customers/c-1/ledger?limit=0", "limit"),
        ("/v1/customers/c-1/ledger?limit=ten", "limit"),
        ("/v1/customers/c-1/ledger?limit=2.5", "limit"),
        ("/v1/customers", "phone"),
        ("/v1/campaigns?limit=101", "limit"),
        ("/v1/metrics?from=" + "9" * 50, "from"),
    ],
)
def test_bad_query_strings_name_the_parameter(shop: Shop, path: str, field: str) -> None:
    answer = shop.call("GET", path)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field


@pytest.mark.parametrize("raw", ["", "   ", "null", '"text"'])
def test_a_missing_or_non_object_body_is_refused_naming_the_body(shop: Shop, raw: str) -> None:
    for path in ("/v1/purchases", "/v1/redemptions"):
        answer = shop.http.post(shop.base + path, data=raw, headers={"Content-Type": "application/json"})
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["field"] == "body"
    program = shop.http.put(shop.base + "/v1/program", data=raw, headers={"Content-Type": "application/json"})
    assert program.status_code == 422 and program.json()["error"]["field"] == "body"


def test_the_documented_examples_work_as_written(shop: Shop) -> None:
    """What a developer gets by pressing "Try it out" in /docs: each example request succeeds."""
    document = requests.get(shop.base + "/openapi.json", timeout=10).json()

    def example(path: str, method: str) -> Any:
        return document["paths"][path][method]["requestBody"]["content"]["application/json"]["example"]

    steps = [
        ("PUT", "/v1/customers/c-42", "/v1/customers/{customer_id}"),
        ("POST", "/v1/purchases", "/v1/purchases"),
        ("POST", "/v1/redemptions", "/v1/redemptions"),
        ("POST", "/v1/purchases/o-1001/refunds", "/v1/purchases/{order_id}/refunds"),
        ("PUT", "/v1/carts/k-1", "/v1/carts/{cart_id}"),
        ("PUT", "/v1/program", "/v1/program"),
        ("POST", "/v1/campaigns", "/v1/campaigns"),
        ("POST", "/v1/segments/preview", "/v1/segments/preview"),
    ]
    for method, url, path in steps:
        answer = shop.call(method, url, example(path, method.lower()))
        assert answer.status_code in (200, 201), (url, answer.text)
        schema = _answer_schema(document, path, method.lower(), answer.status_code)
        assert problems(document, answer.json(), schema) == [], url
    assert shop.call("GET", "/v1/customers/c-42").json()["phone"] == "+989121234567"
    documented = [
        (path, method)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
        and "example" not in operation["requestBody"]["content"]["application/json"]
    ]
    # Bodies that need a secret from elsewhere (a browser's push keys, a signed link's token) have none.
    assert sorted(documented) == [("/v1/dashboard/session", "post"), ("/v1/push-subscriptions", "post")]
