"""A merchant's WooCommerce connection: the delivery URL's id, the currency, the signing secret.

The secret is a SecureString in SSM (`/vafa/{merchant}/woocommerce-webhook-secret`), as every other
merchant secret. Verifying a delivery needs the secret itself (an HMAC cannot be checked against a
hash of its key), so each container keeps it in memory; the table item names the secret's
`generation`, read with every delivery anyway (for the currency), so a rotation is seen at once by
every container and the old secret stops working immediately, at the cost of one SSM read per
container after a rotation, not one per delivery.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from vafa import secrets as stored
from vafa.errors import NotFound
from vafa.store.models import Item
from vafa.store.table import ensure_configured
from vafa.timeutil import iso

SECRET_NAME = "woocommerce-webhook-secret"
DELIVERY_PATH = "/v1/hooks/woocommerce/"
_SK = "WOOCOMMERCE"


def integration_pk(merchant_id: str) -> str:
    """The merchant's integrations, in a partition of their own (nothing else lists it)."""
    return f"M#{merchant_id}#INTEGRATION"


class WooCommerceItem(Item, discriminator="woocommerce_integration"):
    merchant_id = UnicodeAttribute()
    hook_token = UnicodeAttribute()  # the random part of the delivery URL
    currency = UnicodeAttribute()
    generation = UnicodeAttribute()  # which secret in SSM is current
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


@dataclass(frozen=True)
class Connection:
    merchant_id: str
    hook_id: str
    currency: str
    generation: str


def hook_id_of(merchant_id: str, token: str) -> str:
    """`{merchant}_{random}`: 192 random bits make it unguessable; the merchant id in front finds
    the item without a table-wide index (merchant ids hold no `_`, and name no secret)."""
    return f"{merchant_id}_{token}"


def _connection(item: WooCommerceItem) -> Connection:
    return Connection(
        item.merchant_id, hook_id_of(item.merchant_id, item.hook_token), item.currency, item.generation
    )


def load(merchant_id: str) -> Connection | None:
    ensure_configured()
    try:
        item = WooCommerceItem.get(integration_pk(merchant_id), _SK, consistent_read=True)
    except WooCommerceItem.DoesNotExist:
        return None
    return _connection(item)


def by_hook_id(hook_id: str) -> Connection | None:
    """The connection a delivery URL names, or None; the random part compared in constant time."""
    merchant_id, sep, token = hook_id.partition("_")
    if not sep or not token or not merchant_id.isascii() or not merchant_id.isalnum() or len(hook_id) > 120:
        return None
    found = load(merchant_id)
    if found is None or not secrets.compare_digest(found.hook_id.encode(), hook_id.encode()):
        return None
    return found


# --- the secret ---------------------------------------------------------------------------------

_cache: dict[str, tuple[str, str]] = {}  # merchant -> (generation, secret)
_lock = threading.Lock()


def _parameter(merchant_id: str) -> str:
    return stored.merchant_secret_name(merchant_id, SECRET_NAME)


def _new_secret(merchant_id: str) -> tuple[str, str]:
    """A fresh secret in SSM, stored with its generation so a reader can tell which one it holds.
    URL-safe characters only: WooCommerce passes the secret through `wp_specialchars_decode`."""
    generation, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    stored.put_parameter(_parameter(merchant_id), f"{generation}.{secret}")
    with _lock:
        _cache[merchant_id] = (generation, secret)
    return generation, secret


def secret_for(connection: Connection) -> str | None:
    """The current secret, or None while a rotation is half written (SSM ahead of the table)."""
    with _lock:
        cached = _cache.get(connection.merchant_id)
    if cached and cached[0] == connection.generation:
        return cached[1]
    # Read past vafa.secrets' five-minute cache: the generation says the cached value is stale.
    value = stored._client("ssm").get_parameter(Name=_parameter(connection.merchant_id), WithDecryption=True)
    generation, _, secret = str(value["Parameter"]["Value"]).partition(".")
    if generation != connection.generation or not secret:
        return None
    with _lock:
        _cache[connection.merchant_id] = (generation, secret)
    return secret


def forget() -> None:
    with _lock:
        _cache.clear()


# --- the routes' writes -------------------------------------------------------------------------


def connect(
    merchant_id: str, currency: str | None, default_currency: str, now: datetime
) -> tuple[Connection, str]:
    """Create the connection, or change its currency: the URL and secret a shop pasted stay valid
    (a repeated PUT never breaks a working webhook)."""
    ensure_configured()
    at = iso(now)
    current = load(merchant_id)
    if current is not None:
        secret = secret_for(current)
        if secret is None:  # a rotation elsewhere is half done: finish it with a fresh secret
            current = rotate(merchant_id, now)[0]
            secret = secret_for(current)
        assert secret is not None
        if currency is not None and currency != current.currency:
            item = WooCommerceItem.get(integration_pk(merchant_id), _SK, consistent_read=True)
            item.update(actions=[WooCommerceItem.currency.set(currency), WooCommerceItem.updated_at.set(at)])
            current = _connection(item)
        return current, secret
    generation, secret = _new_secret(merchant_id)
    item = WooCommerceItem(
        integration_pk(merchant_id),
        _SK,
        merchant_id=merchant_id,
        hook_token=secrets.token_urlsafe(24),
        currency=currency or default_currency,
        generation=generation,
        created_at=at,
        updated_at=at,
    )
    try:
        item.save(condition=WooCommerceItem.PK.does_not_exist())
    except Exception as exc:  # a concurrent PUT created it first: answer with that one
        if "ConditionalCheckFailed" not in repr(exc):
            raise
        return connect(merchant_id, currency, default_currency, now)
    return _connection(item), secret


def rotate(merchant_id: str, now: datetime) -> tuple[Connection, str]:
    """A new secret; the old one stops verifying deliveries as soon as the table names the new one."""
    ensure_configured()
    if load(merchant_id) is None:
        raise NotFound(
            "WooCommerce is not connected; PUT /v1/integrations/woocommerce first",
            code="integration_not_found",
        )
    generation, secret = _new_secret(merchant_id)
    item = WooCommerceItem.get(integration_pk(merchant_id), _SK, consistent_read=True)
    item.update(
        actions=[WooCommerceItem.generation.set(generation), WooCommerceItem.updated_at.set(iso(now))]
    )
    return _connection(item), secret
