"""Gifts credited by the engine (the birthday gift): an expiring lot of its own, granted once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import OrderItem
from vafa.timeutil import iso
from vafa.wallet import domain
from vafa.wallet.operations import retrying
from vafa.wallet.store import Contended, WalletWrite, load_wallet, to_lot


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
        profile, lots = load_wallet(merchant_id, customer_id)
        if profile is None:
            return 0
        change = domain.Change()
        wallet_lots = [to_lot(item) for item in lots]
        domain.expire_due(wallet_lots, now, change)
        lot = domain.Lot(
            f"gift:{gift_id}",
            "gift",
            gift_id,
            amount,
            amount,
            now,
            now + timedelta(days=program.reminders.birthday_gift_expiry_days),
        )
        change.new_lots.append(lot)
        change.entries.append(domain.Entry("gift", amount, now, gift_id))
        guard = OrderItem(
            guard_pk,
            k.ORDER,
            order_id=gift_id,
            customer_id=customer_id,
            amount=0,
            cashback=amount,
            occurred_at=iso(now),
            request_hash="gift",
            response=json.dumps({"gift": amount}),
        )
        write = WalletWrite(
            merchant_id,
            profile,
            int(profile.seq),
            {i.lot_id: i for i in lots},
            True,
            change,
            now,
            puts=[(guard, OrderItem.PK.does_not_exist())],
        )
        try:
            write.commit()
        except Contended:
            try:
                OrderItem.get(guard_pk, k.ORDER, consistent_read=True)
                return 0
            except OrderItem.DoesNotExist:
                raise
        return amount

    return retrying(attempt)
