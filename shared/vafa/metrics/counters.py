"""Message counters (sent, suppressed, failed, clicked, holdout) as atomic ADDs on one item per merchant.

Atomic counters never conflict, so senders and the reminders run can bump them concurrently without
transactions; the metrics job reads them when it builds the report.
"""

from __future__ import annotations

from typing import Any

from vafa.store import keys as k
from vafa.store.table import connection, ensure_configured

STATS_SK = "MSGSTATS"


def _dynamodb() -> Any:
    """The transaction connection's botocore DynamoDB client.

    Its operations are generated at runtime; pynamodb types the client as a bare BaseClient without them.
    """
    return connection().client


def bump(merchant_id: str, kind: str, field: str, campaign_id: str | None = None, by: int = 1) -> None:
    """Add `by` to the counter `field` of a message kind (and of its campaign, if any)."""
    ensure_configured()
    from vafa.config import settings

    names: dict[str, str] = {"#k": "kind"}
    parts = ["#c0 :n"]
    names["#c0"] = f"{kind}|{field}"
    if campaign_id:
        names["#c1"] = f"campaign:{campaign_id}|{field}"
        parts.append("#c1 :n")
    _dynamodb().update_item(
        TableName=settings().table_name,
        Key={"PK": {"S": k.merchant_pk(merchant_id)}, "SK": {"S": STATS_SK}},
        UpdateExpression="SET #k = :kind ADD " + ", ".join(parts),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={":n": {"N": str(by)}, ":kind": {"S": "message_stats"}},
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
