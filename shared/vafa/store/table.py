"""Points the models at the configured table and endpoint; one place to (re)configure."""

from __future__ import annotations

from pynamodb.connection import Connection

from vafa.config import settings
from vafa.store.models import Item

_connection: Connection | None = None
_configured = False


def _all_models() -> list[type[Item]]:
    found: list[type[Item]] = [Item]
    index = 0
    while index < len(found):
        found.extend(found[index].__subclasses__())
        index += 1
    return found


def ensure_configured() -> None:
    """Apply the settings to the models the first time data is touched."""
    global _configured
    if _configured:
        return
    current = settings()
    Item.Meta.table_name = current.table_name
    Item.Meta.region = current.region
    Item.Meta.host = current.dynamodb_endpoint
    for model in _all_models():
        model._connection = None
    _configured = True


def connection() -> Connection:
    """The low-level connection used for transactions and batch reads."""
    global _connection
    ensure_configured()
    if _connection is None:
        current = settings()
        _connection = Connection(region=current.region, host=current.dynamodb_endpoint)
    return _connection


def reset() -> None:
    """Forget cached settings and connections (after the environment changed: tests, the local
    stack). Here rather than in `vafa.config`, which the store depends on, not the other way."""
    global _connection, _configured
    settings.cache_clear()
    _connection = None
    _configured = False
