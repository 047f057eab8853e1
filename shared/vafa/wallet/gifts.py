"""Gifts credited by the engine (the birthday gift): an expiring lot of its own, granted once."""

from __future__ import annotations

from datetime import datetime, timedelta

from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import SettlementItem
from vafa.timeutil import iso
from vafa.wallet import domain
from vafa.wallet.operations import recorded_stamp, retrying
from vafa.wallet.store import WalletWrite, batch_get, commit_once, load_profile, wallet_of


def grant_birthday_gift(
    merchant_id: str, customer_id: str, program: Program, year: str, now: datetime
) -> int:
    """Credit the program's birthday gift for `year`; a second call for the same year grants nothing."""
    amount = program.reminders.birthday_gift_amount or 0
    if amount <= 0:
        return 0
    gift_id = f"birthday-{year}"
    guard_pk = k.gift_pk(merchant_id, customer_id, gift_id)

    def attempt() -> int:
        profile = load_profile(merchant_id, customer_id)
        if profile is None:
            return 0
        wallet = wallet_of(profile)
        expires = now + timedelta(days=program.reminders.birthday_gift_expiry_days)
        change, _ = domain.plan_grant(wallet, "gift", amount, gift_id, now, expires)
        profile.updated_at = iso(now)
        # The gift's record is its guard: it exists once the gift was granted.
        record = SettlementItem(guard_pk, k.ORDER, customer_id=customer_id, note=f"gift {iso(now)}")
        write = WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            wallet,
            change,
            recorded_stamp(now),
            record=record,
            record_condition=SettlementItem.PK.does_not_exist(),
        )

        def granted() -> bool | None:  # a racing grant of the same gift won
            return True if batch_get([(guard_pk, k.ORDER)]) else None

        return 0 if commit_once(write, granted) else amount

    return retrying(attempt)
