"""The record checker every API body and the program go through: strict JSON types, named fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
from vafa.api.schemas import CampaignIn, CartIn, PurchaseIn
from vafa.model import ValidationError
from vafa.program import Program, QuietHours


def _first(model: Any, data: Any) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    problem = caught.value.errors()[0]
    return ".".join(str(p) for p in problem["loc"]), problem["type"]


@pytest.mark.parametrize(
    ("amount", "kind"),
    [
        ("5", "int_type"),
        (5.0, "int_type"),
        (True, "int_type"),
        (-1, "greater_than_equal"),
        (10**16, "less_than_equal"),
    ],
)
def test_money_is_a_json_integer_in_range(amount: Any, kind: str) -> None:
    assert _first(PurchaseIn, {"order_id": "o", "customer_id": "c", "amount": amount}) == ("amount", kind)


def test_every_problem_is_listed_with_its_path_nested_ones_included() -> None:
    with pytest.raises(ValidationError) as caught:
        PurchaseIn.model_validate({"order_id": "", "amount": 1, "customer": {"birthday": {"calendar": "x"}}})
    where = [".".join(str(p) for p in problem["loc"]) for problem in caught.value.errors()]
    assert where == ["order_id", "customer_id", "customer.birthday.calendar"]
    assert "order_id" in str(caught.value)


def test_list_items_are_named_by_index() -> None:
    cart = {"customer_id": "c", "total": 10, "items": [{"sku": "a"}, {"quantity": 0}]}
    with pytest.raises(ValidationError) as caught:
        CartIn.model_validate(cart)
    assert caught.value.errors()[0]["loc"] == ("items", 1, "quantity")


def test_unknown_fields_are_ignored_on_bodies_and_refused_in_settings() -> None:
    purchase = PurchaseIn.model_validate({"order_id": "o", "customer_id": "c", "amount": 1, "coupon": "X"})
    assert purchase.amount == 1 and not hasattr(purchase, "coupon")
    assert _first(Program, {"cashback_rate": 700}) == ("cashback_rate", "extra_forbidden")


def test_defaults_fill_what_is_left_out_and_null_only_where_allowed() -> None:
    program = Program.model_validate({"quiet_hours": None})
    assert program.quiet_hours is None and program.cashback_rate_bps == 500
    assert program.reminders.expiry_days_before == [3, 1]
    assert _first(Program, {"cashback_rate_bps": None}) == ("cashback_rate_bps", "none_forbidden")
    assert Program.model_validate({}).model_fields_set == set()
    assert PurchaseIn.model_validate({"order_id": "o", "customer_id": "c", "amount": 1}).model_fields_set == {
        "order_id",
        "customer_id",
        "amount",
    }


def test_field_checks_and_record_checks_name_the_field() -> None:
    assert _first(QuietHours, {"start": "25:00"}) == ("start", "value_error")
    assert _first(Program, {"sms": {"provider": "smsir", "sender": "Shop"}}) == ("sms.sender", "value_error")
    body = {"campaign_id": "k", "name": "n", "segment": "all", "template": {}}
    assert _first(CampaignIn, body) == ("template", "value_error")


def test_building_a_record_in_code_checks_it_too() -> None:
    with pytest.raises(ValidationError, match="cashback_rate_bps"):
        Program(cashback_rate_bps=10_001)
    assert Program(cashback_rate_bps=700).cashback_rate_bps == 700


def test_a_body_that_is_not_an_object_is_refused_as_such() -> None:
    assert _first(PurchaseIn, [1, 2]) == ("", "model_attributes_type")


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
    defs: dict[str, Any] = {}
    assert PurchaseIn.json_schema(defs) == {"$ref": "#/components/schemas/PurchaseIn"}
    schema = defs["PurchaseIn"]
    assert schema["required"] == ["order_id", "customer_id", "amount"]
    assert schema["properties"]["amount"]["type"] == "integer"
    assert schema["properties"]["amount"]["minimum"] == 0
    assert schema["properties"]["customer"]["anyOf"][0] == {"$ref": "#/components/schemas/ProfileIn"}
    assert "ProfileIn" in defs and "BirthdayIn" in defs
