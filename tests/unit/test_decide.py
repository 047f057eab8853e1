"""The messaging decision, pure: what a merchant would notice about who gets which message, when.

`decide(facts, program, candidate, now)` reads nothing and writes nothing, so every rule is checked
here without a table: holdout, each reason a message is suppressed, the weekly cap, quiet hours,
the channel chosen.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from vafa.messaging import policy
from vafa.messaging.candidate import Candidate
from vafa.messaging.decide import KEEP_SENT, Decision, Facts, decide, facts_of
from vafa.program import Program
from vafa.store.models import ContactItem, CustomerItem

# 14:30 in Tehran (UTC+3:30): outside the default quiet hours 21:00-09:00.
AFTERNOON = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
# 23:30 in Tehran: inside them; they end at 09:00 the next morning, 05:30 UTC.
NIGHT = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
MORNING_AFTER = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)


def program(**settings: Any) -> Program:
    base: dict[str, Any] = {"sms": {"provider": "kavenegar"}, "channel_order": ["sms", "email", "push"]}
    return Program.model_validate({**base, **settings})


def facts(**given: Any) -> Facts:
    """A customer who consented to SMS and has a phone, and nothing else, unless told otherwise."""
    base: dict[str, Any] = {"held_out": False, "consent": frozenset({"sms"}), "has_phone": True}
    return Facts(**{**base, **given})


def reminder(kind: str = "expiry_reminder", **extra: Any) -> Candidate:
    return Candidate(kind=kind, dedupe_key=f"{kind}#2026-11-25#3", ref="2026-11-25", **extra)


def sent(*days_ago: float, at: datetime = AFTERNOON) -> tuple[datetime, ...]:
    return tuple(sorted(at - timedelta(days=d) for d in days_ago))


@pytest.fixture(autouse=True)
def _no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deciding must not read the deployment's settings (nor anything else): make that fail loudly."""
    import vafa.config

    def refuse() -> None:
        raise AssertionError("the pure decision read the settings")

    monkeypatch.setattr(vafa.config, "settings", refuse)
    monkeypatch.setenv("VAFA_LOCAL_STACK", "1")  # and the environment must not change the outcome


# -- holdout ---------------------------------------------------------------------------------------


def test_a_held_out_customer_gets_nothing_whatever_they_consented_to() -> None:
    everything = facts(held_out=True, consent=frozenset({"sms", "email", "push"}), has_email=True)
    assert decide(everything, program(), reminder(), AFTERNOON) == Decision("suppressed", "holdout", None)


def test_the_holdout_comes_before_the_cap_and_quiet_hours() -> None:
    full = facts(held_out=True, marketing_sent=sent(1, 2, 3))
    decision = decide(full, program(max_marketing_messages_per_week=3), reminder(), NIGHT)
    assert (decision.reason, decision.send_after, decision.marketing_sent) == ("holdout", None, None)


# -- the reasons a message is suppressed -----------------------------------------------------------


def test_no_consent_on_any_channel_of_the_order() -> None:
    decision = decide(facts(consent=frozenset(), has_email=True), program(), reminder(), AFTERNOON)
    assert decision == Decision("suppressed", "no_consent", None)


def test_consent_on_a_channel_outside_the_order_is_no_consent() -> None:
    decision = decide(
        facts(consent=frozenset({"email"}), has_email=True),
        program(channel_order=["sms"]),
        reminder(),
        AFTERNOON,
    )
    assert decision.reason == "no_consent"


def test_an_opt_out_overrides_the_consent_given_on_the_profile() -> None:
    decision = decide(facts(opted_out=frozenset({"sms"})), program(), reminder(), AFTERNOON)
    assert decision == Decision("suppressed", "opted_out", None)


def test_consent_without_a_way_to_reach_is_unreachable() -> None:
    assert decide(facts(has_phone=False), program(), reminder(), AFTERNOON).reason == "unreachable"
    push_only = facts(consent=frozenset({"push"}), has_phone=False, push_subscriptions=0)
    assert decide(push_only, program(), reminder(), AFTERNOON).reason == "unreachable"


def test_a_shop_without_an_sms_gateway_sends_no_sms_and_says_so() -> None:
    for no_gateway in (program(sms={"provider": None}), program(sms={"provider": "local"})):
        decision = decide(facts(), no_gateway, reminder(), AFTERNOON)
        assert decision == Decision("suppressed", "channel_not_configured", None)


def test_the_development_gateway_counts_on_the_local_stack_only() -> None:
    local = program(sms={"provider": "local"})
    assert decide(facts(local_stack=True), local, reminder(), AFTERNOON).status == "queued"
    assert decide(facts(local_stack=False), local, reminder(), AFTERNOON).status == "suppressed"


def test_an_opt_out_is_named_before_a_missing_gateway() -> None:
    # Opted out of email (reachable), consented to SMS with no gateway: the opt-out is the reason.
    both = facts(consent=frozenset({"sms", "email"}), opted_out=frozenset({"email"}), has_email=True)
    decision = decide(both, program(sms={"provider": None}), reminder(), AFTERNOON)
    assert decision.reason == "opted_out"


def test_an_opt_out_of_a_channel_the_customer_cannot_be_reached_on_is_not_the_reason() -> None:
    decision = decide(facts(opted_out=frozenset({"sms"}), has_phone=False), program(), reminder(), AFTERNOON)
    assert decision.reason == "no_consent"


# -- channel choice --------------------------------------------------------------------------------


def test_the_first_channel_of_the_order_with_consent_and_reach_is_chosen() -> None:
    customer = facts(consent=frozenset({"sms", "email"}), has_email=True)
    assert decide(customer, program(channel_order=["email", "sms"]), reminder(), AFTERNOON).channel == "email"
    assert decide(customer, program(channel_order=["sms", "email"]), reminder(), AFTERNOON).channel == "sms"


def test_a_channel_that_cannot_carry_the_message_is_skipped() -> None:
    customer = facts(consent=frozenset({"sms", "email", "push"}), has_phone=False, has_email=True)
    assert decide(customer, program(), reminder(), AFTERNOON).channel == "email"
    customer = facts(consent=frozenset({"sms", "push"}), push_subscriptions=1, opted_out=frozenset({"sms"}))
    assert decide(customer, program(), reminder(), AFTERNOON).channel == "push"
    unconfigured = program(sms={"provider": None}, channel_order=["sms", "email"])
    customer = facts(consent=frozenset({"sms", "email"}), has_email=True)
    assert decide(customer, unconfigured, reminder(), AFTERNOON).channel == "email"


def test_a_campaign_that_names_its_channel_uses_it_or_nothing() -> None:
    customer = facts(consent=frozenset({"sms"}))
    emailed = reminder("campaign", channel="email", campaign_id="c1")
    assert decide(customer, program(), emailed, AFTERNOON) == Decision("suppressed", "no_consent", None)
    texted = reminder("campaign", channel="sms", campaign_id="c1")
    assert decide(customer, program(channel_order=["email"]), texted, AFTERNOON).channel == "sms"


# -- the weekly cap --------------------------------------------------------------------------------


def test_the_cap_suppresses_once_the_week_holds_as_many_marketing_messages() -> None:
    capped = program(max_marketing_messages_per_week=2)
    decision = decide(facts(marketing_sent=sent(1, 6)), capped, reminder(), AFTERNOON)
    # The channel it would have gone on is kept, so the dashboard shows what the cap held back.
    assert decision == Decision("suppressed", "frequency_cap", "sms")
    assert decide(facts(marketing_sent=sent(1)), capped, reminder(), AFTERNOON).status == "queued"


def test_the_cap_is_a_rolling_seven_times_24_hours() -> None:
    capped = program(max_marketing_messages_per_week=1)
    exactly_a_week = facts(marketing_sent=sent(7))
    assert decide(exactly_a_week, capped, reminder(), AFTERNOON).status == "queued"
    just_inside = facts(marketing_sent=(AFTERNOON - timedelta(days=7) + timedelta(seconds=1),))
    assert decide(just_inside, capped, reminder(), AFTERNOON).reason == "frequency_cap"


def test_a_cap_of_zero_allows_no_marketing_at_all() -> None:
    assert decide(facts(), program(max_marketing_messages_per_week=0), reminder(), AFTERNOON).reason == (
        "frequency_cap"
    )


@pytest.mark.parametrize("kind", sorted(policy.MARKETING_KINDS))
def test_every_marketing_kind_counts_toward_the_cap(kind: str) -> None:
    decision = decide(
        facts(marketing_sent=sent(1)), program(max_marketing_messages_per_week=1), reminder(kind), AFTERNOON
    )
    assert decision.reason == "frequency_cap"


def test_a_queued_marketing_message_joins_the_week_and_old_sends_are_forgotten() -> None:
    decision = decide(facts(marketing_sent=sent(9, 2)), program(), reminder(), AFTERNOON)
    assert decision.marketing_sent == (AFTERNOON - timedelta(days=2), AFTERNOON)


def test_the_kept_sends_are_bounded() -> None:
    many = tuple(AFTERNOON - timedelta(minutes=m) for m in range(60, 0, -1))
    decision = decide(
        facts(marketing_sent=many), program(max_marketing_messages_per_week=100), reminder(), AFTERNOON
    )
    assert decision.marketing_sent is not None and len(decision.marketing_sent) == KEEP_SENT
    assert decision.marketing_sent[-1] == AFTERNOON


def test_a_suppressed_message_does_not_count_toward_the_cap() -> None:
    for suppressed in (facts(held_out=True), facts(consent=frozenset()), facts(marketing_sent=sent(1, 2, 3))):
        decision = decide(suppressed, program(), reminder(), AFTERNOON)
        assert decision.status == "suppressed" and decision.marketing_sent is None


# -- quiet hours -----------------------------------------------------------------------------------


def test_a_message_decided_at_night_is_queued_for_the_end_of_quiet_hours() -> None:
    decision = decide(facts(), program(), reminder(), NIGHT)
    assert (decision.status, decision.reason, decision.channel) == ("queued", "quiet_hours", "sms")
    assert decision.send_after == MORNING_AFTER
    # It counts toward the cap from the moment it is decided, not when it leaves.
    assert decision.marketing_sent == (NIGHT,)


def test_in_the_day_a_message_goes_at_once() -> None:
    decision = decide(facts(), program(), reminder(), AFTERNOON)
    assert decision == Decision("queued", None, "sms", marketing_sent=(AFTERNOON,))


def test_quiet_hours_follow_the_merchant_timezone_and_settings() -> None:
    berlin = program(timezone="Europe/Berlin", quiet_hours={"start": "22:00", "end": "07:00"})
    assert decide(facts(), berlin, reminder(), NIGHT).send_after is None  # 21:00 in Berlin
    late = NIGHT + timedelta(hours=2)  # 23:00 in Berlin
    assert decide(facts(), berlin, reminder(), late).send_after == datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    assert decide(facts(), program(quiet_hours=None), reminder(), NIGHT).send_after is None


def test_a_capped_message_is_suppressed_at_night_rather_than_deferred() -> None:
    decision = decide(facts(marketing_sent=sent(1, 2, 3, at=NIGHT)), program(), reminder(), NIGHT)
    assert (decision.status, decision.reason, decision.send_after) == ("suppressed", "frequency_cap", None)


# -- transactional messages ------------------------------------------------------------------------


def test_a_receipt_is_neither_capped_nor_held_back_by_the_night() -> None:
    thanks = reminder("purchase_thanks")
    decision = decide(facts(marketing_sent=sent(1, 2, 3, at=NIGHT)), program(), thanks, NIGHT)
    assert decision == Decision("queued", None, "sms")  # and it does not count toward the cap


def test_a_receipt_still_needs_consent_and_an_address() -> None:
    thanks = reminder("purchase_thanks")
    assert decide(facts(consent=frozenset()), program(), thanks, AFTERNOON).reason == "no_consent"
    assert decide(facts(held_out=True), program(), thanks, AFTERNOON).reason == "holdout"


# -- the facts, from what is stored ----------------------------------------------------------------


def test_the_facts_come_from_the_profile_and_the_contact_record() -> None:
    customer = CustomerItem(
        "M#m1#C#c1",
        "PROFILE",
        customer_id="c1",
        phone="+989121234567",
        consent={"sms": True, "email": False, "push": True},
    )
    contact = ContactItem(
        "M#m1#C#c1",
        "CONTACT",
        opted_out={"push": True, "sms": False},
        push_count=2,
        marketing_sent='["2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z"]',
    )
    found = facts_of("m1", program(holdout_percent=0), customer, contact, local_stack=False)
    assert found == Facts(
        held_out=False,
        consent=frozenset({"sms", "push"}),
        opted_out=frozenset({"push"}),
        has_phone=True,
        has_email=False,
        push_subscriptions=2,
        marketing_sent=(datetime(2026, 11, 20, 10, tzinfo=UTC), datetime(2026, 11, 21, 10, tzinfo=UTC)),
    )
    held = facts_of("m1", program(holdout_percent=50), customer, contact, local_stack=True)
    assert held.held_out == policy.in_holdout("m1", "c1", 50) and held.local_stack


def test_the_writing_form_is_refused_with_the_wrong_arguments() -> None:
    with pytest.raises(TypeError):
        decide(facts(), program(), reminder(), AFTERNOON, "extra")  # type: ignore[call-overload]
