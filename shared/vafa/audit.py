"""Who changed what through the panel or the API, and when: an append-only list per merchant.

One item per change under the merchant's own audit partition (`M#<merchant>#AUDIT`), its sort key the
time and a random suffix, so writing never reads or contends and listing newest first is one Query.
Items are never updated or deleted by the product.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute

from vafa.store.models import Item
from vafa.store.table import ensure_configured
from vafa.timeutil import iso

# The changes worth a line, as (method, path pattern, action). Reads, and the shop's own traffic
# (purchases, redemptions), are not merchant changes and are left out.
_AUDITED = (
    ("PUT", re.compile(r"/v1/program"), "program.update"),
    ("POST", re.compile(r"/v1/campaigns"), "campaign.create"),
    ("POST", re.compile(r"/v1/campaigns/(?P<id>[^/]+)/cancel"), "campaign.cancel"),
    ("POST", re.compile(r"/v1/customers/(?P<id>[^/]+)/adjustments"), "customer.adjust"),
)
_SUMMARY_LIMIT = 600


def audit_pk(merchant_id: str) -> str:
    return f"M#{merchant_id}#AUDIT"


class AuditItem(Item, discriminator="audit"):
    """One change: when, who (a key's last characters or a sign-in link's user), what and on what."""

    at = UnicodeAttribute()
    who = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute(null=True)
    summary = UnicodeAttribute(null=True)  # the fields the change named, not their values in full


def audited_action(method: str, path: str) -> tuple[str, str | None] | None:
    """The action a request is recorded as, with its target id; None for what is not audited."""
    for verb, pattern, action in _AUDITED:
        match = pattern.fullmatch(path)
        if method == verb and match:
            return action, match.groupdict().get("id")
    return None


def target_of(action: str, from_path: str | None, body: Any) -> str | None:
    """What a change was made to: the id in the path, or a new campaign's id from its body."""
    if from_path is None and action == "campaign.create" and isinstance(body, dict):
        campaign_id = body.get("campaign_id")
        return campaign_id if isinstance(campaign_id, str) else None
    return from_path


def summarize(action: str, body: Any) -> str | None:
    """What the change named, short: the program fields set, a campaign's id and name, an adjustment."""
    if not isinstance(body, dict):
        return None
    if action == "program.update":
        names: list[str] = []
        for key, value in body.items():
            if isinstance(value, dict) and key != "templates":
                names.extend(f"{key}.{inner}" for inner in value)
            elif key == "templates" and isinstance(value, dict):
                for kind, locales in value.items():
                    for locale in locales if isinstance(locales, dict) else ():
                        names.append(f"templates.{kind}.{locale}")
            else:
                names.append(key)
        shown = {name: _value_at(body, name) for name in names}
        text = json.dumps(shown, ensure_ascii=False, separators=(",", ":"))
    elif action == "campaign.create":
        text = json.dumps(
            {k: body.get(k) for k in ("campaign_id", "name", "segment", "send_at") if k in body},
            ensure_ascii=False,
            separators=(",", ":"),
        )
    elif action == "customer.adjust":
        text = json.dumps(
            {k: body.get(k) for k in ("amount", "reason") if k in body},
            ensure_ascii=False,
            separators=(",", ":"),
        )
    else:
        return None
    return text[:_SUMMARY_LIMIT]


def _value_at(body: dict[str, Any], dotted: str) -> Any:
    value: Any = body
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    # Template texts can be long; the list says which one changed, the program holds the text.
    return "…" if dotted.startswith("templates.") else value


def record(
    merchant_id: str, who: str, action: str, target: str | None, summary: str | None, now: datetime
) -> None:
    """Append one change to the merchant's audit list."""
    ensure_configured()
    at = iso(now)
    # Milliseconds in the key, so two changes within one second still list in the order they came.
    AuditItem(
        audit_pk(merchant_id),
        f"{now.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}#{secrets.token_hex(4)}",
        at=at,
        who=who,
        action=action,
        target=target,
        summary=summary,
    ).save()


def listing(merchant_id: str, limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """Changes newest first, `limit` at most, after the sort key `after`; and the next page's key."""
    ensure_configured()
    query = AuditItem.query(
        audit_pk(merchant_id),
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key={"PK": {"S": audit_pk(merchant_id)}, "SK": {"S": after}} if after else None,
    )
    items = [
        {"at": i.at, "who": i.who, "action": i.action, "target": i.target, "summary": i.summary}
        for i in query
    ]
    last = query.last_evaluated_key
    return items, (last["SK"]["S"] if last and len(items) == limit else None)
