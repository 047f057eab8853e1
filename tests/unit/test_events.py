"""The sample events in events/ are the shapes the handlers read (they also serve `sam local invoke -e`)."""

from __future__ import annotations

import json
from pathlib import Path

from vafa.jobs.schedule import event_time
from vafa.timeutil import iso

EVENTS = Path(__file__).resolve().parents[2] / "events"


def test_schedule_events_carry_the_time_the_job_decides_by() -> None:
    for name in ("expiry-schedule.json", "reminders-schedule.json"):
        event = json.loads((EVENTS / name).read_text())
        assert iso(event_time(event)) == event["time"]


def test_api_event_has_a_json_body_and_the_request_time() -> None:
    event = json.loads((EVENTS / "purchase.json").read_text())
    assert json.loads(event["body"])["order_id"] == "o-1001"
    assert event["requestContext"]["timeEpoch"] > 0


def test_queue_event_bodies_name_a_notification() -> None:
    event = json.loads((EVENTS / "sms-queue.json").read_text())
    for record in event["Records"]:
        assert set(json.loads(record["body"])) == {"merchant_id", "customer_id", "note_sk"}
