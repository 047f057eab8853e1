"""Message counters (sent, suppressed, failed, clicked, holdout) as atomic ADDs on one item per merchant.

Atomic counters never conflict, so senders and the reminders run can bump them concurrently without
transactions; the metrics job reads them when it builds the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vafa.store import keys as k
from vafa.store.table import connection, ensure_configured

STATS_SK = "MSGSTATS"


def _dynamodb() -> Any:
    """The transaction connection's botocore DynamoDB client.

    Its operations are generated at runtime; pynamodb types the client as a bare BaseClient without them.
    """
    return connection().client


def bump(
    merchant_id: str,
    kind: str,
    field: str,
    campaign_id: str | None = None,
    by: int = 1,
    also: dict[str, int] | None = None,
) -> None:
    """Add `by` to the counter `field` of a message kind (and of its campaign, if any), and each of
    `also` (e.g. `{"cost": 1200}`) in the same write."""
    amounts = {(kind, name, campaign_id): amount for name, amount in {field: by, **(also or {})}.items()}
    bump_many(merchant_id, amounts)


def bump_many(merchant_id: str, amounts: Mapping[tuple[str, str, str | None], int]) -> None:
    """Add each amount, keyed by (message kind, field, campaign or None), in one UpdateItem: a batch
    of decisions costs one write for its counters, not one or two per suppressed message. A kind's
    counter and its campaign's both get the amount; nothing to add writes nothing."""
    totals: dict[str, int] = {}
    for (kind, field, campaign_id), amount in amounts.items():
        for prefix in [kind, f"campaign:{campaign_id}"] if campaign_id else [kind]:
            totals[f"{prefix}|{field}"] = totals.get(f"{prefix}|{field}", 0) + amount
    totals = {name: amount for name, amount in totals.items() if amount}
    if not totals:
        return
    ensure_configured()
    from vafa.config import settings

    names: dict[str, str] = {"#k": "kind"}
    values: dict[str, Any] = {":kind": {"S": "message_stats"}}
    parts: list[str] = []
    for i, (name, amount) in enumerate(totals.items()):
        names[f"#c{i}"] = name
        values[f":v{i}"] = {"N": str(amount)}
        parts.append(f"#c{i} :v{i}")
    _dynamodb().update_item(
        TableName=settings().table_name,
        Key={"PK": {"S": k.merchant_pk(merchant_id)}, "SK": {"S": STATS_SK}},
        UpdateExpression="SET #k = :kind ADD " + ", ".join(parts),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def read(merchant_id: str) -> dict[str, dict[str, int]]:
    """{kind or campaign:<id>: {field: count}}."""
    ensure_configured()
    from vafa.config import settings

    answer: dict[str, Any] = _dynamodb().get_item(
        TableName=settings().table_name,
        Key={"PK": {"S": k.merchant_pk(merchant_id)}, "SK": {"S": STATS_SK}},
        ConsistentRead=True,
    )
    stats: dict[str, dict[str, int]] = {}
    for name, value in (answer.get("Item") or {}).items():
        if "|" in name and "N" in value:
            key, field = name.rsplit("|", 1)
            stats.setdefault(key, {})[field] = int(value["N"])
    return stats
