"""The declarations every API body and the program go through (`vafa.records`, msgspec): what a shop's
developer gets back for bad input is the API's 422 — status, code, the field named (dotted, list items
by index) and a message in the API's words — and the same declarations write the JSON Schema."""

from __future__ import annotations

import json
from typing import Any

import pytest
from vafa.api.binding import failure
from vafa.api.errors import from_domain
from vafa.api.schemas import CampaignIn, CartIn, PurchaseIn, PushSubscriptionIn
from vafa.customers import ProfileIn
from vafa.program import Program, QuietHours, SmsSettings
from vafa.records import UNSET, ValidationError, schema_components

PURCHASE = {"order_id": "o", "customer_id": "c", "amount": 1}


def answer(record: Any, data: Any) -> tuple[int, dict[str, Any]]:
    """The status and `error` object the API answers when a body fails `record`."""
    with pytest.raises(ValidationError) as caught:
        record.model_validate(data)
    response = from_domain(failure(caught.value))
    assert isinstance(response.body, str)
    return response.status_code, json.loads(response.body)["error"]


def field_and_message(record: Any, data: Any) -> tuple[str, str]:
    status, error = answer(record, data)
    assert status == 422 and error["code"] == "validation_error", error
    return error["field"], error["message"]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("5", "amount: must be an integer (no decimals, no quotes)"),
        (5.0, "amount: must be an integer (no decimals, no quotes)"),
        (True, "amount: must be an integer (no decimals, no quotes)"),
        (None, "amount: must not be null"),
        (-1, "amount: must be at least 0"),
        (10**16, "amount: must be at most 1000000000000000"),
    ],
)
def test_money_is_a_json_integer_in_range(amount: Any, message: str) -> None:
    assert field_and_message(PurchaseIn, {**PURCHASE, "amount": amount}) == ("amount", message)


def test_the_answer_is_the_apis_error_object() -> None:
    status, error = answer(PurchaseIn, {**PURCHASE, "amount": "5"})
    assert (status, sorted(error)) == (422, ["code", "field", "message"])


def test_nested_fields_are_dotted_and_list_items_named_by_index() -> None:
    birthday = {**PURCHASE, "customer": {"birthday": {"calendar": "x", "date": "1370-01-01"}}}
    assert field_and_message(PurchaseIn, birthday) == (
        "customer.birthday.calendar",
        "customer.birthday.calendar: must be one of jalali, gregorian",
    )
    cart = {"customer_id": "c", "total": 10, "items": [{"sku": "a"}, {"quantity": 0}]}
    assert field_and_message(CartIn, cart) == ("items[1].quantity", "items[1].quantity: must be at least 1")
    cart = {"customer_id": "c", "total": 10, "items": [{"price": 2.5}]}
    assert field_and_message(CartIn, cart)[0] == "items[0].price"


def test_keys_of_free_maps_are_named_too() -> None:
    """msgspec says `[...]` for a map's key; the answer names it."""
    assert field_and_message(Program, {"templates": {"win_back": {"fa": ["x"]}}}) == (
        "templates.win_back.fa",
        "templates.win_back.fa: must be an object",
    )
    long = {"templates": {"win_back": {"fa": {"sms": "x" * 2001}}}}
    assert field_and_message(Program, long)[0] == "templates.win_back.fa.sms"


def test_missing_unknown_and_not_an_object() -> None:
    assert field_and_message(PurchaseIn, {"customer_id": "c", "amount": 1}) == (
        "order_id",
        "order_id: is required",
    )
    # Unknown fields: ignored on bodies (shops send what their platform has), refused in settings.
    purchase = PurchaseIn.model_validate({**PURCHASE, "coupon": "X"})
    assert purchase.amount == 1 and not hasattr(purchase, "coupon")
    assert field_and_message(Program, {"cashback_rate": 700}) == (
        "cashback_rate",
        "cashback_rate: is not a known field",
    )
    assert field_and_message(PurchaseIn, {**PURCHASE, "customer": {"consent": {"fax": True}}})[0] == (
        "customer.consent.fax"
    )
    for body in ([1, 2], None, "text"):
        assert field_and_message(PurchaseIn, body) == ("body", "the request body must be a JSON object")
    assert field_and_message(PurchaseIn, {**PURCHASE, "customer": [1]}) == (
        "customer",
        "customer: must be a JSON object",
    )


def test_strings_limits_and_patterns() -> None:
    subscription = {"endpoint": "https://push.example/x", "keys": {"p256dh": "k" * 40, "auth": "a" * 10}}
    assert field_and_message(PushSubscriptionIn, {**subscription, "visitor_id": "short"}) == (
        "visitor_id",
        "visitor_id: must be at least 8 characters",
    )
    for visitor in ("visitor-1!", "visitor-01\n"):  # a final newline does not slip past the pattern
        assert field_and_message(PushSubscriptionIn, {**subscription, "visitor_id": visitor}) == (
            "visitor_id",
            "visitor_id: must match [A-Za-z0-9_-]+",
        )
    assert field_and_message(PurchaseIn, {**PURCHASE, "order_id": 5})[1] == (
        "order_id: must be 1-128 printable characters"
    )
    for order_id in ("", "\u200b", "a\nb", "x" * 129):
        assert field_and_message(PurchaseIn, {**PURCHASE, "order_id": order_id}) == (
            "order_id",
            "order_id: must be 1-128 printable characters",
        )


def test_defaults_fill_what_is_left_out_and_null_only_where_allowed() -> None:
    program = Program.model_validate({"quiet_hours": None})
    assert program.quiet_hours is None and program.cashback_rate_bps == 500
    assert program.reminders.expiry_days_before == [3, 1]
    assert field_and_message(Program, {"cashback_rate_bps": None})[1] == "cashback_rate_bps: must not be null"


def test_a_profile_tells_left_out_from_cleared() -> None:
    profile = ProfileIn.model_validate({"email": None, "name": "سارا"})
    assert profile.email is None and profile.name == "سارا" and profile.phone is UNSET
    assert profile.model_dump() == {"email": None, "name": "سارا"}


def test_field_checks_normalise_and_name_the_field() -> None:
    birthday = {"calendar": "jalali", "date": "۱۳۶۸/۰۵/۱۲"}
    customer = {"phone": "۰۹۱۲۱۲۳۴۵۶۷", "email": "Sara@Example.COM", "birthday": birthday}
    profile = ProfileIn.model_validate(customer)
    assert profile.phone == "+989121234567" and profile.email == "Sara@example.com"
    assert profile.birthday and profile.birthday.date == "1368-05-12"
    assert field_and_message(PurchaseIn, {**PURCHASE, "customer": {"phone": "123"}})[0] == "customer.phone"
    assert field_and_message(QuietHours, {"start": "25:00"}) == ("start", "start: must be HH:MM (24-hour)")
    assert field_and_message(Program, {"shop_url": "https://169.254.169.254/"})[0] == "shop_url"
    assert field_and_message(Program, {"shop_name": "Shop\r\nX-Injected: 1"})[0] == "shop_name"


def test_rules_across_fields_name_the_field() -> None:
    assert field_and_message(Program, {"sms": {"provider": "smsir", "sender": "Shop"}}) == (
        "sms.sender",
        "sms.sender: the SMS.ir line number, digits only",
    )
    body = {"campaign_id": "k", "name": "n", "segment": "all", "template": {}}
    assert field_and_message(CampaignIn, body) == (
        "template",
        "template: give the text in at least one language (fa, en)",
    )


def test_building_a_record_in_code_runs_its_checks() -> None:
    with pytest.raises(ValidationError, match="base_url"):
        SmsSettings(provider="kavenegar", base_url="https://evil.example")
    assert ProfileIn(phone="09121234567").phone == "+989121234567"


def test_a_record_survives_a_round_trip_through_json() -> None:
    program = Program.model_validate(
        {"reminders": {"expiry_days_before": [1, 7, 7]}, "templates": {"win_back": {"fa": {"sms": "{name}"}}}}
    )
    assert program.reminders.expiry_days_before == [7, 1]
    assert Program.model_validate(json.loads(program.model_dump_json())) == program
    assert program.model_dump(exclude_defaults=True) == {
        "reminders": {"expiry_days_before": [7, 1]},
        "templates": {"win_back": {"fa": {"sms": "{name}"}}},
    }


def test_the_schema_states_types_limits_and_required_fields() -> None:
    refs, components = schema_components([PurchaseIn, Program, PushSubscriptionIn])
    assert refs[0] == {"$ref": "#/components/schemas/PurchaseIn"}
    schema = components["PurchaseIn"]
    assert schema["required"] == ["order_id", "customer_id", "amount"]
    assert schema["properties"]["amount"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 10**15,
        "description": "Integer amount in the smallest unit",
    }
    assert schema["properties"]["customer"]["anyOf"][0] == {"$ref": "#/components/schemas/ProfileIn"}
    assert "ProfileIn" in components and "BirthdayIn" in components
    assert components["Program"]["additionalProperties"] is False
    visitor = components["PushSubscriptionIn"]["properties"]["visitor_id"]["anyOf"][0]
    assert visitor["pattern"] == "^(?:[A-Za-z0-9_-]+)$(?!\\n)" and visitor["maxLength"] == 64
