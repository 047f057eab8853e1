"""Short links in messages: `/r/{id}` (tracked click) and `/f/{id}` (feedback) with a 10-character id
instead of a self-contained signed token, so a Persian SMS with its link fits two parts.

The id is an HMAC of the message id and the link's purpose under the deployment's link key: the same
message always gets the same id (a decision re-rendered for another channel keeps its link), and
nobody can derive one without the key. What the link means is stored in one item under `LINK#<id>`,
written in the same transaction as the decision, and read back in one GetItem. Tokens signed the
earlier way (with a `.`) keep working, so messages already sent stay good.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from typing import Any

from vafa.messaging import links
from vafa.secrets import link_signing_key
from vafa.store import keys as k
from vafa.store.models import LinkItem

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SHORT = re.compile(r"[0-9A-Za-z]{10}", re.ASCII)
LIFETIME_SECONDS = 400 * 86400  # a link in a message still works a year on (DynamoDB TTL)


def short_id(purpose: str, nid: str, key: bytes | None = None) -> str:
    """10 base62 characters (59 bits) from HMAC-SHA256(link key, purpose | message id)."""
    digest = hmac.new(key or link_signing_key(), f"{purpose}|{nid}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(10):
        number, rest = divmod(number, 62)
        chars.append(_ALPHABET[rest])
    return "".join(chars)


def link_item(purpose: str, link_id: str, payload: dict[str, Any], now_epoch: int | None = None) -> LinkItem:
    """The stored meaning of one short link (written with the decision that made it)."""
    expires = int(now_epoch if now_epoch is not None else time.time()) + LIFETIME_SECONDS
    body = json.dumps({"p": purpose, **payload}, ensure_ascii=False, separators=(",", ":"))
    return LinkItem(k.link_pk(link_id), k.LINK, payload=body, ttl=expires)


def resolve(purpose: str, token: str) -> dict[str, Any]:
    """What a link means: a short id looked up in one read, or an earlier signed token verified.
    Raises links.BadToken for anything else."""
    if "." in token:
        return links.verify(purpose, token)
    if not _SHORT.fullmatch(token):
        raise links.BadToken("malformed link")
    try:
        item = LinkItem.get(k.link_pk(token), k.LINK)
    except LinkItem.DoesNotExist:
        raise links.BadToken("unknown link") from None
    payload = json.loads(item.payload)
    if not isinstance(payload, dict) or payload.get("p") != purpose:
        raise links.BadToken("unknown link")
    return payload
