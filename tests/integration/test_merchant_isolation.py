"""A scheduled run survives one merchant's bad data: that merchant is logged and skipped, never the rest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from vafa.insight.metrics.job import run_metrics
from vafa.jobs.expiry import run_expiry
from vafa.jobs.reminders import run_reminders
from vafa.merchants import ProgramStore, create_merchant
from vafa.store import keys as k
from vafa.store.models import ProgramItem
from vafa.timeutil import iso
from vafa.wallet import operations

NOW = datetime.now(UTC).replace(microsecond=0)


def _purchase(merchant: str, order: str, at: datetime) -> None:
    operations.record_purchase(
        merchant,
        operations.PurchaseRequest(
            order_id=order,
            customer_id="c",
            amount=1_000_000,
            occurred_at=at,
            customer=None,
            cart_id=None,
            body={},
        ),
        ProgramStore(0).get(merchant),
        at,
    )


def test_a_merchant_whose_stored_program_no_longer_checks_is_skipped_and_the_others_run(
    isolated_stack: object,
) -> None:
    opened = NOW - timedelta(days=50)  # the shops opened before their customers bought
    broken = create_merchant("broken", opened).merchant_id
    healthy = create_merchant("healthy", opened).merchant_id
    earned = NOW - timedelta(days=40)
    _purchase(broken, "o-b", earned)
    _purchase(healthy, "o-h", earned)
    # Settings saved before today's rules: a gateway address inside the deployment.
    bad = {"sms": {"provider": "kavenegar", "base_url": "http://169.254.169.254/?"}}
    ProgramItem(
        k.merchant_pk(broken), k.PROGRAM, settings=json.dumps(bad), updated_at=iso(NOW - timedelta(days=100))
    ).save()

    reminders = run_reminders(NOW)
    assert broken in reminders["merchants_failed"] and healthy not in reminders["merchants_failed"]
    metrics = run_metrics(NOW)
    assert broken in metrics["merchants_failed"] and healthy not in metrics["merchants_failed"]
    expiry = run_expiry(NOW)
    assert healthy not in expiry["merchants_failed"]
    from vafa.profiles import read_customer

    assert read_customer(healthy, "c", NOW)["balance"] == 0  # the healthy merchant's credit expired
