"""Merchants: creation with fresh keys, key rotation, and program settings with a short cache."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.transactions import TransactWrite

from vafa.auth.keys import KeyKind, key_item, new_key, new_merchant_id
from vafa.errors import NotFound
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import ApiKeyItem, MerchantItem, MerchantRegistryItem, ProgramItem
from vafa.store.table import connection, ensure_configured
from vafa.timeutil import iso


@dataclass(frozen=True)
class NewMerchant:
    merchant_id: str
    api_key: str
    site_key: str

    def as_dict(self) -> dict[str, str]:
        return {"merchant_id": self.merchant_id, "api_key": self.api_key, "site_key": self.site_key}


def create_merchant(name: str, now: datetime, program: Program | None = None) -> NewMerchant:
    """Create a merchant, its default program and one key of each kind, in one transaction."""
    from vafa.messaging.channels.push import generate_vapid_keys
    from vafa.secrets import merchant_secret_name, put_parameter

    merchant_id = new_merchant_id()
    api_key, site_key = new_key("secret", merchant_id), new_key("site", merchant_id)
    vapid = generate_vapid_keys()
    # The private half goes to SSM first: a merchant never exists with a public key but no secret.
    put_parameter(merchant_secret_name(merchant_id, "vapid-private-key"), vapid.private_key)
    at = iso(now)
    pk = k.merchant_pk(merchant_id)
    with TransactWrite(connection=connection()) as tx:
        tx.save(
            MerchantItem(
                pk,
                k.MERCHANT,
                merchant_id=merchant_id,
                name=name,
                created_at=at,
                vapid_public_key=vapid.public_key,
            ),
            condition=MerchantItem.PK.does_not_exist(),
        )
        tx.save(MerchantRegistryItem(k.MERCHANT_REGISTRY, pk, merchant_id=merchant_id))
        tx.save(ProgramItem(pk, k.PROGRAM, settings=(program or Program()).model_dump_json(), updated_at=at))
        tx.save(key_item(api_key, "secret", merchant_id, at))
        tx.save(key_item(site_key, "site", merchant_id, at))
    return NewMerchant(merchant_id, api_key, site_key)


def rotate_key(merchant_id: str, kind: KeyKind, now: datetime) -> str:
    """Issue a new key of `kind` and revoke the old ones; cached answers lapse within the cache TTL."""
    ensure_configured()
    pk = k.merchant_pk(merchant_id)
    try:
        MerchantItem.get(pk, k.MERCHANT)
    except MerchantItem.DoesNotExist as exc:
        raise NotFound(f"merchant {merchant_id} not found") from exc
    fresh = new_key(kind, merchant_id)
    at = iso(now)
    old = [
        item
        for item in ApiKeyItem.query(pk, ApiKeyItem.SK.startswith("KEY#"))
        if isinstance(item, ApiKeyItem) and item.key_kind == kind and not item.revoked_at
    ]
    with TransactWrite(connection=connection()) as tx:
        tx.save(key_item(fresh, kind, merchant_id, at))
        for item in old:
            tx.update(item, [ApiKeyItem.revoked_at.set(at)])
    return fresh


def list_merchants() -> list[str]:
    """Merchant ids, by Query on the registry partition (schedules walk merchants, never customers)."""
    ensure_configured()
    return [item.merchant_id for item in MerchantRegistryItem.query(k.MERCHANT_REGISTRY)]


class ProgramStore:
    """Reads and writes program settings, caching reads for a few seconds per container."""

    def __init__(self, ttl_seconds: int) -> None:
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, Program]] = {}

    def get(self, merchant_id: str) -> Program:
        clock = time.monotonic()
        cached = self._cache.get(merchant_id)
        if cached and cached[0] > clock:
            return cached[1]
        ensure_configured()
        try:
            item = ProgramItem.get(k.merchant_pk(merchant_id), k.PROGRAM)
            program = Program.model_validate(json.loads(item.settings))
        except ProgramItem.DoesNotExist:
            program = Program()
        if not program.shop_name:
            # Messages name the shop ("سری به {shop} بزنید"): without a shop_name, the merchant's own
            # name stands in, so no default template reads with a hole in it.
            with contextlib.suppress(MerchantItem.DoesNotExist):
                program.shop_name = MerchantItem.get(k.merchant_pk(merchant_id), k.MERCHANT).name
        self._cache[merchant_id] = (clock + self._ttl, program)
        return program

    def put(self, merchant_id: str, program: Program, now: datetime) -> Program:
        ensure_configured()
        ProgramItem(
            k.merchant_pk(merchant_id), k.PROGRAM, settings=program.model_dump_json(), updated_at=iso(now)
        ).save()
        self._cache[merchant_id] = (time.monotonic() + self._ttl, program)
        return program

    def forget(self) -> None:
        self._cache.clear()


def program_dict(program: Program) -> dict[str, Any]:
    return program.model_dump()
