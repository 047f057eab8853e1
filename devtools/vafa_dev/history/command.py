"""`vafa import`: past orders into a merchant's history, with a progress bar and a JSON summary.

History only by default: orders and customer profiles, no wallet credit. A shop that starts with
Vafa wants its customers' past purchases to count (cohorts, repeat rates, win-back, segments), but
not to hand out cashback today for purchases made years ago, which the program never promised and
which would expire at once or land as a surprise liability. `--earn-cashback` is the opt-in for
the other case (say, the last weeks of orders from before the integration went live): each order
then goes through the live purchase path and earns as it would have.

Exit status: 0 all rows imported or skipped as already there, 1 some rows rejected (the rest were
imported), 2 nothing read (no such file or merchant, unusable header), 3 stopped part-way (what was
written is complete per customer; running the same command again continues where it stopped).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from vafa_dev.history.progress import Progress
from vafa_dev.history.reader import FileProblem, count_rows, format_of, read
from vafa_dev.history.writer import WORKERS, Summary, import_history, import_with_cashback


def _merchant_exists(merchant_id: str) -> bool:
    from vafa.store import keys
    from vafa.store.models import MerchantItem
    from vafa.store.table import ensure_configured

    ensure_configured()
    try:
        MerchantItem.get(keys.merchant_pk(merchant_id), keys.MERCHANT)
    except MerchantItem.DoesNotExist:
        return False
    return True


def run_import(
    merchant_id: str,
    file: str,
    fmt: str | None = None,
    *,
    earn_cashback: bool = False,
    workers: int = WORKERS,
    quiet: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    from vafa.merchants import ProgramStore

    path = Path(file)
    if not path.is_file():
        print(f"no such file: {path}", file=err)
        return 2
    try:
        kind = format_of(path, fmt)
    except FileProblem as exc:
        print(str(exc), file=err)
        return 2
    if not _merchant_exists(merchant_id):
        print(f"no merchant {merchant_id}", file=err)
        return 2
    program = ProgramStore(0).get(merchant_id)
    now = datetime.now(UTC).replace(microsecond=0)
    bar = None if quiet else Progress(count_rows(path, kind), stream=err)
    started = time.monotonic()
    write = import_with_cashback if earn_cashback else import_history
    stopped: str | None = None
    summary = Summary()
    try:
        rows = read(path, kind, program.timezone, now)
        write(merchant_id, program, rows, now, bar, workers, summary)
    except FileProblem as exc:
        print(("\n" if bar else "") + str(exc), file=err)
        return 2
    except Exception as exc:  # the table refused or the network failed: say how far it got
        stopped = f"{type(exc).__name__}: {exc}"
    if bar is not None:
        bar.close()
    seconds = time.monotonic() - started
    report: dict[str, Any] = {
        "mode": "earn_cashback" if earn_cashback else "history",
        **summary.as_dict(),
        "seconds": round(seconds, 2),
        "rows_per_second": round(summary.rows / max(seconds, 1e-6)),
    }
    if stopped is not None:
        report["stopped"] = stopped
        print(
            f"The import stopped after about {summary.rows:,} rows ({stopped}). What was written is "
            "complete per customer; run the same command again to continue.",
            file=err,
        )
    print(json.dumps(report, ensure_ascii=False, indent=2), file=out)
    if stopped is not None:
        return 3
    return 1 if summary.rejected else 0
