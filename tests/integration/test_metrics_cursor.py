"""The metrics run reads the merchant's timeline from a cursor: a run cut short by its budget and the
runs that continue it count everything exactly once, and a run with nothing new costs a few calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from vafa.insight.metrics import job
from vafa.insight.metrics.job import fold_merchant, metrics_report, run_for_merchant, unpack
from vafa.jobs.budget import Budget
from vafa.merchants import ProgramStore, create_merchant
from vafa.program import Program
from vafa.store import keys as k
from vafa.store.models import MetricsItem
from vafa.wallet import operations as ops
from vafa_dev.bench.calls import CallRecorder, Recording

from tests.integration.test_wallet_operations import purchase, redeem, refund

# Records are written as of a time after the merchant was created (the first run starts that day).
START = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def history(merchant: str, start: datetime) -> datetime:
    """Five weeks of a shop's activity over many day partitions; returns when it ended."""
    same = start + timedelta(hours=1)
    for n in range(5):  # five records at one instant: a cursor must never split them wrongly
        purchase(
            merchant, f"s{n}", 100_000 * (n + 1), f"c{n}", at=same, occurred_at=start - timedelta(days=40 + n)
        )
    for h in range(0, 60, 7):  # back-dated orders recorded over three days, some customers again
        recorded = start + timedelta(hours=h + 2)
        purchase(
            merchant, f"h{h}", 500_000 + h, f"c{h % 4}", at=recorded, occurred_at=recorded - timedelta(days=h)
        )
    purchase(merchant, "fresh", 1_000_000, "c9", at=start + timedelta(hours=3))
    refund(merchant, "s1", "rf1", 50_000, at=start + timedelta(hours=30))
    refund(merchant, "h7", "rf2", at=start + timedelta(hours=31))  # in full: no longer a purchase
    refund(merchant, "fresh", "rf3", 100_000, at=start + timedelta(hours=32))
    redeem(merchant, "r1", 10_000, "c9", at=start + timedelta(hours=40))
    expired_at = start + timedelta(days=31)
    assert ops.settle_expired(merchant, "c9", expired_at) > 0  # the rest of c9's credit runs out
    purchase(merchant, "late", 700_000, "c2", at=expired_at + timedelta(hours=1))
    return expired_at + timedelta(hours=2)


def aggregates(merchant: str) -> dict[str, Any]:
    return unpack(MetricsItem.get(k.merchant_pk(merchant), job.METRICS_SK).data)["agg"]


def report(merchant: str, now: datetime) -> dict[str, Any]:
    body = metrics_report(merchant, (now - timedelta(days=400)).date(), now.date())
    body.pop("as_of")
    return body


def test_runs_cut_short_by_a_tiny_budget_add_up_to_one_unlimited_run(merchant: str, monkeypatch) -> None:
    program = ProgramStore(0).get(merchant)
    other = create_merchant("Same shop", datetime.now(UTC)).merchant_id
    end = history(merchant, START)
    history(other, START)
    later = end + timedelta(minutes=1)
    # The reference: one run with no budget.
    run_for_merchant(other, program, later)
    # Pages of two records and commits of two customers; a budget spent from the start: every run
    # folds one page (a run always moves forward), commits it with the cursor, and stops.
    monkeypatch.setattr(job, "PAGE", 2)
    monkeypatch.setattr(job, "CHUNK", 2)
    runs = 0
    while True:
        runs += 1
        progress = fold_merchant(merchant, lambda: program, later, Budget(0))
        if not progress.cut_short:
            break
        assert runs < 200
    assert runs > 10  # it really was cut short, many times
    assert aggregates(merchant) == aggregates(other)
    assert report(merchant, later) == report(other, later)
    # Activity after the cut runs is folded by the next ones, once.
    more = later + timedelta(hours=1)
    for shop in (merchant, other):
        purchase(shop, "next", 300_000, "c0", at=more)
        refund(shop, "s2", "rf4", 1_000, at=more)
    while fold_merchant(merchant, lambda: program, more + timedelta(minutes=1), Budget(0)).cut_short:
        pass
    monkeypatch.setattr(job, "PAGE", 100)
    run_for_merchant(other, program, more + timedelta(minutes=1))
    assert aggregates(merchant) == aggregates(other)
    assert report(merchant, more) == report(other, more)
    totals = report(merchant, more)
    assert totals["customers"]["total"] == 6
    assert totals["wallet"]["redeemed"] == 10_000 and totals["wallet"]["expired"] > 0


def _recorded(recorder: CallRecorder, run: Any) -> tuple[Any, Recording]:
    with recorder.record() as recording:
        answer = run()
    return answer, recording


def test_a_repeat_run_with_nothing_new_reads_the_cursor_and_one_page(
    isolated_stack: object, monkeypatch
) -> None:
    """Through the real `run_metrics`: the merchant registry, then per merchant its state and one
    empty timeline page; no writes. A run with K new purchases costs a few calls plus one per buyer
    (the message attribution reads their notifications)."""
    monkeypatch.setenv("VAFA_LOCAL_STACK", "1")
    from vafa.store import table

    table.reset()
    merchants = [create_merchant(f"Shop {n}", datetime.now(UTC)).merchant_id for n in range(2)]
    for merchant in merchants:
        purchase(merchant, "o1", 1_000_000, "ann", at=START)
    recorder = CallRecorder()
    recorder.install()
    recorder.hook_pynamodb_clients()
    try:
        first = START + timedelta(minutes=10)
        answer = job.run_metrics(first)
        assert answer["records_folded"] == 2 and answer["cut_short"] is False
        again, idle = _recorded(recorder, lambda: job.run_metrics(first + timedelta(minutes=5)))
        kind = 7
        for n in range(kind):
            purchase(merchants[0], f"k{n}", 500_000, f"buyer{n}", at=first + timedelta(minutes=6))
        busy_answer, busy = _recorded(recorder, lambda: job.run_metrics(first + timedelta(minutes=10)))
    finally:
        recorder.uninstall()
    ops_idle = [call.operation for call in idle.calls]
    ops_busy: dict[str, int] = {}
    for call in busy.calls:
        ops_busy[call.operation] = ops_busy.get(call.operation, 0) + 1
    print(f"metrics run with nothing new: {idle.round_trips} calls {ops_idle}")
    print(f"metrics run with {kind} new purchases: {busy.round_trips} calls {ops_busy}")
    assert again["records_folded"] == 0 and again["cut_short"] is False
    # 1 registry Query + per merchant 1 GetItem (state) + 1 Query (today's timeline page).
    assert idle.round_trips <= 1 + 2 * len(merchants), ops_idle
    assert not WRITES & set(ops_idle)
    assert busy_answer["records_folded"] == kind and busy_answer["customers_refreshed"] == kind
    # + the program, one BatchGetItem (records and snapshots), a notification Query per buyer, and
    # one transaction.
    assert busy.round_trips <= 1 + 2 * len(merchants) + 3 + kind + 1, ops_busy
    assert ops_busy.get("TransactWriteItems") == 1 and ops_busy.get("BatchGetItem") == 1
    assert metrics_report(merchants[0], START.date(), START.date())["orders"] == kind + 1


def test_a_run_cut_short_says_so_and_the_next_goes_on(isolated_stack: object, monkeypatch) -> None:
    monkeypatch.setenv("VAFA_LOCAL_STACK", "1")
    from vafa.store import table

    table.reset()
    merchants = [create_merchant(f"Shop {n}", datetime.now(UTC)).merchant_id for n in range(3)]
    for merchant in merchants:
        for n in range(5):
            purchase(merchant, f"o{n}", 100_000, f"c{n}", at=START + timedelta(seconds=n))
    monkeypatch.setattr(job, "PAGE", 2)
    now = START + timedelta(minutes=5)
    answers = []
    while not answers or answers[-1]["cut_short"]:
        answers.append(job.run_metrics(now, budget=Budget(0)))
        assert len(answers) < 50
    # Every run but the last stopped early and said so; each moved at least one page forward.
    assert all(a["cut_short"] for a in answers[:-1]) and len(answers) > 15 // 2
    assert max(a["records_folded"] for a in answers) <= 2
    assert sum(a["records_folded"] for a in answers) == 15
    for merchant in merchants:
        assert metrics_report(merchant, START.date(), now.date())["orders"] == 5


@pytest.mark.parametrize("seconds_after", [0, 2])
def test_records_of_the_last_seconds_are_folded_once_though_the_cursor_stays_behind(
    merchant: str, seconds_after: int
) -> None:
    """The cursor never passes `now - 5 s` (the timeline index may still be catching up); what the run
    folded from those seconds is skipped by the next run, and a record that shows up late is not."""
    program = Program()
    purchase(merchant, "a", 100_000, "ann", at=START)
    now = START + timedelta(seconds=seconds_after)
    assert run_for_merchant(merchant, program, now) == 1
    state = unpack(MetricsItem.get(k.merchant_pk(merchant), job.METRICS_SK).data)
    assert state["cursor"] < job.iso(START) and len(state["beyond"]) == 1
    purchase(merchant, "b", 100_000, "bob", at=START)  # recorded at the same instant, seen late
    assert run_for_merchant(merchant, program, now + timedelta(minutes=1)) == 1
    assert run_for_merchant(merchant, program, now + timedelta(minutes=2)) == 0
    assert metrics_report(merchant, START.date(), START.date())["orders"] == 2
