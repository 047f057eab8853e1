"""The goal table of issue 9, with the issue's "now", this run's figure, and the goal met or the distance."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vafa_dev.bench import cost
from vafa_dev.bench.environment import ROOT
from vafa_dev.bench.report import _table
from vafa_dev.bench.scenarios import NEW_CUSTOMER, REDEMPTION, RETURNING_LATER, Measured

DECIDED_CALLS_OK = 0.01  # "0 calls": at most a share of one batched read (100 keys) per customer


@dataclass
class Parts:
    operations: list[Measured]
    path: Any = None  # cost.RequestPath
    work: Any = None  # scheduled.Scheduled
    scale: Any = None  # scale.Scale
    layer: Any = None  # layer.Layer
    engine: Any = None  # engine.Size list


def _at_most(value: float, goal: float, fmt: Callable[[float], str] = lambda v: f"{v:g}") -> str:
    if math.isnan(value):
        return f"≤ {fmt(goal)} (not measured)"
    if value <= goal:
        return f"✓ ≤ {fmt(goal)}"
    return f"✗ ≤ {fmt(goal)} ({fmt(value - goal)} over)"


def _unit(operations: list[Measured], label: str) -> float:
    found = next((m for m in operations if m.label == label), None)
    return found.capacity.total_wcu if found else math.nan


def sms_parts() -> tuple[int, str]:
    """The most parts any default template takes, with the link and opt-out line (as the test builds it)."""
    sys.path.insert(0, str(ROOT))
    try:
        from vafa.messaging.policy import MARKETING_KINDS
        from vafa.messaging.sms_parts import sms_parts as parts
        from vafa.messaging.templates import DEFAULTS, compose

        from tests.unit.test_sms_parts import LINK, VALUES
    finally:
        sys.path.remove(str(ROOT))
    worst, which = 0, ""
    for kind in sorted(DEFAULTS):
        for locale in ("fa", "en"):
            values = {**VALUES[locale], "link": LINK}
            message = compose(kind, "sms", locale, values, None, kind in MARKETING_KINDS)
            if parts(message.body) > worst:
                worst, which = parts(message.body), f"{kind} ({locale})"
    return worst, which


def circles() -> list[list[str]]:
    sys.path.insert(0, str(ROOT))
    try:
        from tests.lint.test_imports import _cycles, _graph
    finally:
        sys.path.remove(str(ROOT))
    return _cycles(_graph())


def cost_recorded() -> tuple[bool, str]:
    """From the code: the gateways' answer carries a cost, the notification stores it, the metrics sum it."""
    missing = []
    try:
        import dataclasses

        from vafa.messaging.channels.sms.base import SmsResult

        if "cost" not in {f.name for f in dataclasses.fields(SmsResult)}:
            missing.append("SmsResult has no cost")
    except (ImportError, TypeError):
        missing.append("no SmsResult")
    import vafa.store.models as models

    if not any("Notification" in name and hasattr(value, "cost") for name, value in vars(models).items()):
        missing.append("no cost on the notification")
    source = "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "shared" / "vafa" / "insight").rglob("*.py")
    )
    if "revenue_per_cost" not in source:
        missing.append("metrics do not sum it")
    return not missing, "; ".join(missing)


def _safe(compute: Callable[[], Any], default: Any) -> Any:
    try:
        return compute()
    except Exception as exc:  # a row that cannot be computed says why, the table still prints
        return default if default is not None else f"not measured: {type(exc).__name__}: {exc}"


def render(parts: Parts) -> list[str]:
    ops = parts.operations
    rows: list[list[str]] = []
    later, new, redeem = (_unit(ops, label) for label in (RETURNING_LATER, NEW_CUSTOMER, REDEMPTION))
    rows.append(
        ["WCU per purchase, returning customer on a later day", "16–21", f"{later:g}", _at_most(later, 6)]
    )
    rows.append(["WCU per purchase, new customer", "19–23", f"{new:g}", _at_most(new, 9)])
    rows.append(["WCU per redemption", "9", f"{redeem:g}", _at_most(redeem, 6)])
    if parts.path:
        total = cost.headline(parts.path)
        kind = next(k for k in parts.path.kinds if k.label == RETURNING_LATER)
        items = cost.request_costs(parts.path, kind)
        top = max(items, key=lambda name: items[name])
        figure = f"${total:.2f} ({100 * items[top] / total:.0f}% {top})"
        rows.append(
            [
                "Request path, cost per 1M purchases (returning customer)",
                "≈ $15, 88% DynamoDB writes",
                figure,
                _at_most(total, 6, lambda v: f"${v:.2f}"),
            ]
        )
    else:
        rows.append(["Request path, cost per 1M purchases", "≈ $15", "not measured", "≤ $6"])
    if parts.work:
        w = parts.work
        sched_cost = sum(cost.scheduled_costs(w).values())
        rows.append(
            [
                "Scheduled work per purchase: write units",
                "61",
                f"{w.per_purchase('wcu'):.1f}",
                _at_most(round(w.per_purchase("wcu"), 1), 20),
            ]
        )
        rows.append(["Scheduled work per purchase: read units", "27", f"{w.per_purchase('rcu'):.1f}", "—"])
        rows.append(["Scheduled work per purchase: SQS requests", "2.1", f"{w.per_purchase('sqs'):.2f}", "—"])
        rows.append(
            [
                "Scheduled work per purchase: cost per 1M purchases; messages",
                "≈ +$42",
                f"${sched_cost:.2f}; {w.delivered / w.purchases:.2f} SMS per purchase",
                "same messages",
            ]
        )
    else:
        rows.append(["Scheduled work per purchase", "61 WCU, 27 RCU, 2.1 SQS", "not measured", "≤ 20 WCU"])
    if parts.scale:
        s = parts.scale
        low, high = s.aws_seconds()
        rows.append(
            [
                "Reminders: DynamoDB calls per message decided",
                "5.16",
                f"{s.per_message():.2f}",
                _at_most(s.per_message(), 1.5),
            ]
        )
        decided = s.per_decided_customer()
        rows.append(
            [
                "Reminders: calls for a customer already decided (per run)",
                "4.6",
                f"{decided:.3f}",
                ("✓" if decided <= DECIDED_CALLS_OK else "✗")
                + f" 0 (≤ {DECIDED_CALLS_OK:g}: a share of one batched read)",
            ]
        )
        half = s.timeout_s / 2
        rows.append(
            [
                "Reminders with 10,000 due: run time on DynamoDB (estimated)",
                f"≈ 420–670 s against the {s.timeout_s} s timeout; no continuation",
                f"≈ {low:.0f}–{high:.0f} s; continues: {'yes' if 'cut_short' in s.first.result else 'no'}",
                _at_most(high, half, lambda v: f"{v:.0f} s") + f" (half the {s.timeout_s} s timeout)",
            ]
        )
    else:
        rows.append(["Reminders at scale", "5.16 calls per message", "not measured", "≤ 1.5"])
    rows.append(
        [
            "Metrics: bounded per run, reads only what changed",
            "no cursor; whole history per refresh",
            _metrics(parts),
            "bounded, continues",
        ]
    )
    worst, which = _safe(sms_parts, (0, "not measured"))
    rows.append(
        [
            "SMS parts, worst default template (link + opt-out)",
            "4–5",
            f"{worst} ({which})",
            _at_most(worst, 2),
        ]
    )
    recorded, why = _safe(cost_recorded, (False, "not checked"))
    rows.append(
        [
            "Cost recorded per message",
            "thrown away",
            "yes" if recorded else f"no ({why})",
            "✓ recorded" if recorded else "✗ recorded",
        ]
    )
    if parts.layer:
        lay = parts.layer
        rows.append(
            [
                "Layer size (built, unpacked)",
                "91 MB",
                f"{lay.size_mb:.1f} MB",
                _at_most(lay.size_mb, 45, lambda v: f"{v:.1f} MB"),
            ]
        )
        worst_ratio = lay.worst()
        rows.append(
            [
                f"Cold import with the built layer, worst function ({lay.arch} build)",
                "2.1–2.6×",
                f"{worst_ratio:.2f}×",
                _at_most(worst_ratio, 1.3, lambda v: f"{v:.2f}×"),
            ]
        )
    else:
        rows.append(["Layer size and cold import", "91 MB; 2.1–2.6×", "not measured", "≤ 45 MB; ≤ 1.3×"])
    found = _safe(circles, None)
    if isinstance(found, list):
        shown = "; ".join(" → ".join(c) for c in found[:3])
        rows.append(
            [
                "Import circles in `shared/vafa`",
                "2",
                f"{len(found)}" + (f" ({shown})" if shown else ""),
                _at_most(len(found), 0),
            ]
        )
    else:
        rows.append(["Import circles in `shared/vafa`", "2", str(found), "0"])
    return [
        "## Issue 9: the goals",
        "",
        'The table of issue 9 ("The house and its costs"): its *now* column as the issue quotes it, this run\'s '
        "figure, and the goal (✓ met, or ✗ with the distance). Each figure comes from a part below: units from "
        "part 2, costs from part 7, the layer from part 8, reminders from part 9.",
        "",
        *_table(["What", "Issue (now)", "This run", "Goal"], rows),
        "",
    ]


def _metrics(parts: Parts) -> str:
    budget = "Budget" in (ROOT / "shared" / "vafa" / "jobs" / "metrics.py").read_text(encoding="utf-8")
    text = f"time budget in the metrics function: {'yes' if budget else 'no'}"
    if parts.engine:
        trips = [s.metrics.recording.round_trips for s in parts.engine]
        sizes = [f"{s.customers:,}" for s in parts.engine]
        text += f"; calls with 100 active among {' / '.join(sizes)} customers: {' / '.join(map(str, trips))}"
    return text
