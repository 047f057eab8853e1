"""Customer tokens: the shop's server vouches that a browser belongs to a signed-in customer.

The site key is public, so on its own it proves nothing about who is at the keyboard. A token is
minted with the secret key (`POST /v1/customers/{id}/token`), lives minutes, names one merchant and
one customer, and is signed with the deployment's link key: it is checked without a table read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from vafa.errors import Unauthorized
from vafa.messaging import links
from vafa.timeutil import iso

PURPOSE = "ct"


def mint(merchant_id: str, customer_id: str, now: datetime, ttl_minutes: int) -> tuple[str, str]:
    """A token for `customer_id` of `merchant_id`, and when it expires (ISO)."""
    expires = now + timedelta(minutes=ttl_minutes)
    token = links.sign(PURPOSE, {"m": merchant_id, "c": customer_id, "x": int(expires.timestamp())})
    return token, iso(expires)


def customer_of(token: str, merchant_id: str, now: datetime) -> str:
    """The customer a token vouches for; 401 when it is altered, expired or another merchant's."""
    try:
        payload = links.verify(PURPOSE, token.strip())
    except links.BadToken:
        raise Unauthorized("the customer token is not valid", code="invalid_customer_token") from None
    customer, expires = payload.get("c"), payload.get("x")
    if payload.get("m") != merchant_id or not isinstance(customer, str) or not isinstance(expires, int):
        raise Unauthorized("the customer token is not valid", code="invalid_customer_token")
    if now.timestamp() >= expires:
        raise Unauthorized("the customer token has expired", code="customer_token_expired")
    return customer
