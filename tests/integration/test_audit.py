"""The audit list: append-only, newest first, paged, one merchant's own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vafa import audit

NOW = datetime.now(UTC).replace(microsecond=0)


def test_changes_list_newest_first_in_pages_and_stay_with_their_merchant(merchant: str) -> None:
    # Given three changes, two of them within the same second
    audit.record(merchant, "key …abcd", "program.update", None, '{"cashback_rate_bps":700}', NOW)
    audit.record(merchant, "Sara (manager)", "campaign.create", "c-1", None, NOW + timedelta(seconds=1))
    audit.record(
        merchant, "Sara (manager)", "campaign.cancel", "c-1", None, NOW + timedelta(seconds=1, milliseconds=5)
    )
    audit.record(f"{merchant}-other", "key …zzzz", "program.update", None, None, NOW)

    first, cursor = audit.listing(merchant, 2, None)
    rest, end = audit.listing(merchant, 2, cursor)

    assert [i["action"] for i in first + rest] == ["campaign.cancel", "campaign.create", "program.update"]
    assert first[0] == {
        "at": audit.iso(NOW + timedelta(seconds=1)),
        "who": "Sara (manager)",
        "action": "campaign.cancel",
        "target": "c-1",
        "summary": None,
    }
    assert cursor is not None and end is None


def test_what_is_recorded_and_how_it_is_summarized() -> None:
    assert audit.audited_action("PUT", "/v1/program") == ("program.update", None)
    assert audit.audited_action("POST", "/v1/campaigns/c-1/cancel") == ("campaign.cancel", "c-1")
    assert audit.audited_action("POST", "/v1/customers/sara/adjustments") == ("customer.adjust", "sara")
    assert audit.audited_action("GET", "/v1/program") is None
    assert audit.audited_action("POST", "/v1/purchases") is None
    update = {"reminders": {"win_back_after_days": 45}, "templates": {"win_back": {"fa": {"sms": "x" * 900}}}}
    assert audit.summarize("program.update", update) == (
        '{"reminders.win_back_after_days":45,"templates.win_back.fa":"…"}'
    )
    assert audit.target_of("campaign.create", None, {"campaign_id": "yalda"}) == "yalda"
    assert audit.summarize("customer.adjust", {"adjustment_id": "a", "amount": -5, "reason": "خطا"}) == (
        '{"amount":-5,"reason":"خطا"}'
    )
