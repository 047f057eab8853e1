"""WooCommerce's webhooks as they arrive, end to end over HTTP: the same story told through the
API leaves the same wallets.

Deliveries are built as WooCommerce builds them (includes/class-wc-webhook.php, `WC_Webhook::deliver`):
the body is `wp_json_encode()` of the REST order (`/wc/v3/orders/{id}`, fields as documented at
developer.woocommerce.com/docs/apis/rest-api/v3/orders: `total` a decimal string, `date_*_gmt` in UTC
without offset, `customer_id` 0 for a guest, `refunds: [{"id", "reason", "total": "-…"}]` negative),
signed `base64(hmac_sha256(body, secret))` in X-WC-Webhook-Signature beside X-WC-Webhook-Topic,
-Resource, -Event, -ID and -Delivery-ID; the ping (`deliver_ping`) is the unsigned form `webhook_id=N`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from tests.e2e.conftest import Shop

PAID = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
PHONE_TYPED = "۰۹۱۲-۱۲۳-۴۵۶۷"  # as a guest types it at checkout
PHONE = "+989121234567"


def _gmt(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else None  # WooCommerce's _gmt: no offset


def wc_order(
    order_id: int,
    status: str,
    *,
    customer_id: int,
    total: str,
    phone: str = "",
    paid: datetime | None = PAID,
    refunds: list[tuple[int, str]] = (),  # type: ignore[assignment]
    first_name: str = "سارا",
) -> dict[str, Any]:
    """A REST order as WooCommerce's v3 API returns it (the fields Vafa reads, and a few it ignores)."""
    created = PAID - timedelta(minutes=3)
    return {
        "id": order_id,
        "parent_id": 0,
        "number": str(order_id),
        "order_key": f"wc_order_{order_id}",
        "created_via": "checkout",
        "status": status,
        "currency": "IRT",
        "date_created": _gmt(created + timedelta(hours=3, minutes=30)),
        "date_created_gmt": _gmt(created),
        "date_modified_gmt": _gmt(PAID),
        "discount_total": "0.00",
        "shipping_total": "30000.00",
        "total": total,
        "total_tax": "0.00",
        "prices_include_tax": False,
        "customer_id": customer_id,
        "billing": {
            "first_name": first_name,
            "last_name": "رضایی",
            "company": "",
            "address_1": "خیابان ولیعصر",
            "city": "تهران",
            "state": "THR",
            "postcode": "",
            "country": "IR",
            "email": "sara@example.com",
            "phone": phone,
        },
        "payment_method": "zarinpal",
        "date_paid": _gmt(paid + timedelta(hours=3, minutes=30)) if paid else None,
        "date_paid_gmt": _gmt(paid),
        "date_completed_gmt": None,
        "line_items": [
            {
                "id": 1,
                "name": "چای ۵۰۰ گرمی",
                "product_id": 93,
                "quantity": 2,
                "total": "95000.00",
                "price": 47500,
            }
        ],
        "refunds": [{"id": rid, "reason": "", "total": amount} for rid, amount in refunds],
        "meta_data": [],
    }


class WooCommerce:
    """The shop's WooCommerce: delivers webhooks to the URL with the secret it was given."""

    def __init__(self, delivery_url: str, secret: str) -> None:
        self.url, self.secret = delivery_url, secret

    def body(self, payload: Any, *, pretty: bool = False) -> bytes:
        if pretty:  # another encoder's bytes: the signature is over whatever was sent
            return json.dumps(payload, ensure_ascii=False, indent=2).encode()
        return json.dumps(payload, separators=(",", ":")).encode()  # wp_json_encode: \u escapes

    def deliver(
        self, topic: str, payload: Any, *, secret: str | None = None, pretty: bool = False
    ) -> requests.Response:
        raw = self.body(payload, pretty=pretty)
        signature = base64.b64encode(hmac.new((secret or self.secret).encode(), raw, hashlib.sha256).digest())
        resource, _, event = topic.partition(".")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)",
            "X-WC-Webhook-Source": "https://shop.example/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": signature.decode(),
            "X-WC-Webhook-ID": "7",
            "X-WC-Webhook-Delivery-ID": uuid.uuid4().hex,
        }
        return requests.post(self.url, data=raw, headers=headers, timeout=30)

    def ping(self) -> requests.Response:
        return requests.post(
            self.url,
            data="webhook_id=7",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=30,
        )


def _connect(shop: Shop, currency: str = "IRT") -> WooCommerce:
    made = shop.call("PUT", "/v1/integrations/woocommerce", {"currency": currency})
    assert made.status_code == 200, made.text
    return WooCommerce(made.json()["delivery_url"], made.json()["secret"])


def _ok(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _wallet(shop: Shop, customer_id: str) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    customer = shop.call("GET", f"/v1/customers/{customer_id}").json()
    kept = {
        key: customer[key] for key in ("phone", "name", "email", "balance", "purchases_count", "total_spent")
    }
    kept["expiring"] = customer["expiring"]
    ledger = shop.call("GET", f"/v1/customers/{customer_id}/ledger", params={"limit": 200}).json()["items"]
    return kept, [(e["type"], e["amount"], e["balance_after"], e["ref"]) for e in ledger]


def test_a_delivery_stream_leaves_the_wallets_the_api_story_leaves(shop: Shop, stack: Any) -> None:
    woo = _connect(shop)
    assert woo.url.startswith(stack.url + "/v1/hooks/woocommerce/") and shop.keys["api_key"] not in woo.url
    assert woo.secret not in woo.url
    assert _ok(woo.ping())["reason"] == "ping"

    # A registered customer (WooCommerce id 41): created → processing → completed → partial refund →
    # refunded, with repeats.
    total = "125000.00"  # Toman: 1,250,000 rials to this IRR program
    pending = wc_order(1001, "pending", customer_id=41, total=total, phone="09351234567", paid=None)
    assert _ok(woo.deliver("order.created", pending))["reason"] == "status_does_not_count"
    processing = wc_order(1001, "processing", customer_id=41, total=total, phone="09351234567")
    first = _ok(woo.deliver("order.updated", processing))
    assert first["counted"] and first["changes"] == ["purchase"] and first["customer_id"] == "41"
    assert _ok(woo.deliver("order.updated", processing))["changes"] == []  # a repeat
    completed = {**processing, "status": "completed"}
    assert _ok(woo.deliver("order.updated", completed))["changes"] == []
    partial = {**completed, "refunds": [{"id": 1501, "reason": "یک قلم", "total": "-25000.00"}]}
    assert _ok(woo.deliver("order.updated", partial))["changes"] == ["refund:1501"]
    assert _ok(woo.deliver("order.updated", partial, pretty=True))["changes"] == []  # other bytes, same order
    refunded = {
        **completed,
        "status": "refunded",
        "refunds": [{"id": 1502, "reason": "", "total": "-100000.00"}, *partial["refunds"]],
    }
    assert _ok(woo.deliver("order.updated", refunded))["changes"] == ["refund:1502"]
    assert _ok(woo.deliver("order.updated", refunded))["changes"] == []

    # A guest (customer id 0) known by the phone typed in Persian digits, delivered out of order.
    guest_total = "40000.00"
    g_completed = wc_order(1002, "completed", customer_id=0, total=guest_total, phone=PHONE_TYPED)
    g_processing = {**g_completed, "status": "processing"}
    g_pending = {**g_completed, "status": "pending", "date_paid_gmt": None}
    assert _ok(woo.deliver("order.updated", g_completed))["customer_id"] == f"guest:{PHONE}"
    assert _ok(woo.deliver("order.updated", g_processing))["changes"] == []
    assert _ok(woo.deliver("order.created", g_pending))["changes"] == []
    assert _ok(woo.deliver("order.updated", g_completed))["changes"] == []
    # Her next guest order: the 'refunded' delivery overtakes the 'processing' one.
    r_refunded = wc_order(
        1003, "refunded", customer_id=0, total="20000.00", phone=PHONE, refunds=[(1601, "-20000.00")]
    )
    overtaking = _ok(woo.deliver("order.updated", r_refunded))
    assert overtaking["changes"] == ["purchase", "refund:1601"], overtaking
    late = _ok(woo.deliver("order.updated", {**r_refunded, "status": "processing", "refunds": []}))
    assert late["changes"] == [] and late["counted"]

    # Refused and ignored deliveries write nothing.
    forged = wc_order(1004, "processing", customer_id=41, total="900000.00")
    assert woo.deliver("order.updated", forged, secret="guessed").status_code == 401
    unsigned = requests.post(
        woo.url, json=forged, headers={"X-WC-Webhook-Topic": "order.updated"}, timeout=30
    )
    assert unsigned.status_code == 401 and unsigned.json()["error"]["code"] == "invalid_signature"
    assert shop.call("POST", "/v1/purchases/1004/refunds", {"refund_id": "x"}).status_code == 404
    no_phone = wc_order(1005, "processing", customer_id=0, total="10000.00", phone="")
    assert _ok(woo.deliver("order.updated", no_phone)) | {} == {
        "topic": "order.updated",
        "order_id": "1005",
        "customer_id": None,
        "counted": False,
        "changes": [],
        "reason": "guest_without_phone",
    }
    assert _ok(woo.deliver("product.updated", {"id": 93, "name": "چای"}))["reason"] == "not_an_order_update"
    assert _ok(woo.deliver("order.deleted", {"id": 1001}))["changes"] == []
    unknown = requests.post(woo.url + "x", data=woo.body(forged), timeout=30)
    assert unknown.status_code == 404

    # The same story through the API, in a second shop with the same ids (so ledger refs compare).
    other = Shop(
        shop.base, requests.post(f"{shop.base}/_local/merchants", json={"name": "دوم"}, timeout=10).json()
    )
    paid_at = PAID.strftime("%Y-%m-%dT%H:%M:%SZ")
    profile = {"phone": PHONE, "name": "سارا رضایی", "email": "sara@example.com"}
    registered_profile = {**profile, "phone": "+989351234567"}
    steps: list[tuple[str, dict[str, Any]]] = [
        (
            "/v1/purchases",
            {
                "order_id": "1001",
                "customer_id": "41",
                "amount": 1_250_000,
                "occurred_at": paid_at,
                "customer": registered_profile,
            },
        ),
        ("/v1/purchases/1001/refunds", {"refund_id": "1501", "amount": 250_000}),
        ("/v1/purchases/1001/refunds", {"refund_id": "1502", "amount": 1_000_000}),
        (
            "/v1/purchases",
            {
                "order_id": "1002",
                "customer_id": f"guest:{PHONE}",
                "amount": 400_000,
                "occurred_at": paid_at,
                "customer": profile,
            },
        ),
        (
            "/v1/purchases",
            {
                "order_id": "1003",
                "customer_id": f"guest:{PHONE}",
                "amount": 200_000,
                "occurred_at": paid_at,
                "customer": profile,
            },
        ),
        ("/v1/purchases/1003/refunds", {"refund_id": "1601", "amount": 200_000}),
    ]
    for path, body in steps:
        assert other.call("POST", path, body).status_code == 201
    for customer_id in ("41", f"guest:{PHONE}"):
        assert _wallet(shop, customer_id) == _wallet(other, customer_id), customer_id
    guest, ledger = _wallet(shop, f"guest:{PHONE}")
    assert guest["balance"] == 20_000 and guest["purchases_count"] == 1 and len(ledger) == 3
    registered, ledger = _wallet(shop, "41")
    assert registered["balance"] == 0 and [entry[0] for entry in ledger] == ["reverse", "reverse", "earn"]


def test_a_guest_is_the_shops_customer_with_that_phone_and_cancelled_reverses_once(shop: Shop) -> None:
    woo = _connect(shop, currency="IRR")
    assert shop.call("PUT", "/v1/customers/c-7", {"phone": "+989351112233"}).status_code == 201
    paid = wc_order(2001, "processing", customer_id=0, total="500000", phone="0935 111 2233")
    paid["currency"] = "IRR"
    assert _ok(woo.deliver("order.created", paid))["customer_id"] == "c-7"
    cancelled = {**paid, "status": "cancelled"}
    assert _ok(woo.deliver("order.updated", cancelled))["changes"] == ["refund:status:cancelled"]
    assert _ok(woo.deliver("order.updated", {**paid, "status": "refunded"}))["changes"] == []
    assert (
        _ok(woo.deliver("order.updated", paid))["changes"] == []
    )  # a late copy: counted once, stays reversed
    customer = shop.call("GET", "/v1/customers/c-7").json()
    assert (customer["balance"], customer["purchases_count"], customer["total_spent"]) == (0, 0, 0)
    # Cancelled before payment: nothing counted, nothing to reverse.
    unpaid = {
        **wc_order(2002, "cancelled", customer_id=0, total="1000", phone="09351112233", paid=None),
        "currency": "IRR",
    }
    assert _ok(woo.deliver("order.updated", unpaid))["reason"] == "not_paid"


def test_connect_show_rotate(shop: Shop) -> None:
    assert shop.call("GET", "/v1/integrations/woocommerce").status_code == 404
    assert shop.call("POST", "/v1/integrations/woocommerce/rotate-secret").status_code == 404
    bad = shop.call("PUT", "/v1/integrations/woocommerce", {"currency": "rial!"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "currency"
    made = shop.call("PUT", "/v1/integrations/woocommerce", {}).json()
    assert made["currency"] == "IRR"  # the program's
    again = shop.call("PUT", "/v1/integrations/woocommerce", {"currency": "irht"}).json()
    assert again == {**made, "currency": "IRHT"}  # the URL and secret a shop pasted stay valid
    shown = shop.call("GET", "/v1/integrations/woocommerce").json()
    assert shown == {"delivery_url": made["delivery_url"], "currency": "IRHT"}
    assert requests.get(shop.base + "/v1/integrations/woocommerce", timeout=10).status_code == 401

    old = WooCommerce(made["delivery_url"], made["secret"])
    order = wc_order(3001, "processing", customer_id=5, total="10", phone="09121234567")
    del order["currency"]  # assumed IRHT: 100,000 rials
    rotated = shop.call("POST", "/v1/integrations/woocommerce/rotate-secret").json()
    assert rotated["delivery_url"] == made["delivery_url"] and rotated["secret"] != made["secret"]
    assert old.deliver("order.updated", order).status_code == 401
    fresh = WooCommerce(rotated["delivery_url"], rotated["secret"])
    assert _ok(fresh.deliver("order.updated", order))["changes"] == ["purchase"]
    assert shop.call("GET", "/v1/customers/5").json()["total_spent"] == 100_000
