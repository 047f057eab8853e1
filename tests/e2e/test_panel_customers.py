"""The merchant's panel, customers side, over HTTP against the local stack: search by name (typed
with Arabic or Persian letters, ZWNJ or spaces), phone (any form) or id; balance adjustments with a
reason and who made them; the feedback a customer gave and the NPS in the metrics."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import requests

from tests.clock import at, day
from tests.e2e.conftest import Shop


def _put(shop: Shop, customer_id: str, **fields: object) -> None:
    made = shop.call("PUT", f"/v1/customers/{customer_id}", fields)
    assert made.status_code in (200, 201), made.text


def _ids(shop: Shop, q: str, **params: object) -> list[str]:
    found = shop.call("GET", "/v1/customers", params={"q": q, **params})
    assert found.status_code == 200, found.text
    return [c["customer_id"] for c in found.json()["items"]]


def test_search_by_name_phone_or_id_whichever_way_it_was_typed(shop: Shop) -> None:
    _put(shop, "c-sara", name="سارا رضایی", phone="09121234567")
    _put(shop, "c-ali", name="علي كريمي")  # Arabic ي and ك as a keyboard may type them
    _put(shop, "c-mr", name="محمد‌رضا احمدی")  # with a ZWNJ
    _put(shop, "c-en", name="Sara Smith")

    assert _ids(shop, "سا") == ["c-sara"]
    assert _ids(shop, "رضایی") == ["c-sara"]  # a later word of the name
    assert _ids(shop, "علی کریمی") == ["c-ali"]  # typed the Persian way
    assert _ids(shop, "کری") == ["c-ali"]
    assert _ids(shop, "محمدرضا") == ["c-mr"] == _ids(shop, "محمد رضا")
    assert sorted(_ids(shop, "رضا")) == ["c-mr", "c-sara"]  # the word after the ZWNJ; رضایی too
    assert _ids(shop, "sara") == ["c-en"] == _ids(shop, "SAR")
    for phone in ("۰۹۱۲۱۲۳۴۵۶۷", "+989121234567", "989121234567", "0912 123 4567"):
        assert _ids(shop, phone) == ["c-sara"], phone
    assert _ids(shop, "c-ali") == ["c-ali"]
    assert _ids(shop, "nobody") == []

    # A name changed is found by the new name only; a name cleared is found by nothing.
    _put(shop, "c-ali", name="بهرام")
    assert _ids(shop, "علی") == [] and _ids(shop, "بهر") == ["c-ali"]
    _put(shop, "c-ali", name=None)
    assert _ids(shop, "بهر") == []
    # A purchase naming the customer sets the name keys too.
    made = shop.call(
        "POST",
        "/v1/purchases",
        {"order_id": "o-s", "customer_id": "c-new", "amount": 1000, "customer": {"name": "نگار"}},
    )
    assert made.status_code == 201 and _ids(shop, "نگ") == ["c-new"]


def test_search_pages_and_refusals(shop: Shop) -> None:
    for i in range(5):
        _put(shop, f"c-p{i}", name=f"پری {i}")
    first = shop.call("GET", "/v1/customers", params={"q": "پری", "limit": 3}).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = shop.call("GET", "/v1/customers", params={"q": "پری", "cursor": first["next_cursor"]}).json()
    assert {c["customer_id"] for c in first["items"] + rest["items"]} == {f"c-p{i}" for i in range(5)}
    assert rest["next_cursor"] is None
    for params, field in (
        ({"q": "  "}, "q"),
        ({"q": "x", "limit": 0}, "limit"),
        ({"q": "x", "cursor": "nope!"}, "cursor"),
        ({"q": "x" * 201}, "q"),
        ({}, "phone"),
    ):
        answer = shop.call("GET", "/v1/customers", params=params)
        assert answer.status_code == 422 and answer.json()["error"]["field"] == field, (params, answer.text)


def test_another_merchants_customers_are_never_found(shop: Shop, stack: object) -> None:
    _put(shop, "c-mine", name="ژاله", phone="09127770000")
    other = requests.post(f"{shop.base}/_local/merchants", json={"name": "Other"}, timeout=10).json()
    theirs = Shop(shop.base, other)
    assert _ids(theirs, "ژاله") == [] and _ids(theirs, "09127770000") == [] and _ids(theirs, "c-mine") == []


def _adjust(shop: Shop, customer: str, body: dict[str, object]) -> requests.Response:
    return shop.call("POST", f"/v1/customers/{customer}/adjustments", body)


def _ledger(shop: Shop, customer: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = shop.call("GET", f"/v1/customers/{customer}/ledger").json()["items"]
    return items


def test_adjustments_credit_and_debit_with_reason_and_author(shop: Shop) -> None:
    shop.call("POST", "/v1/purchases", {"order_id": "o-a", "customer_id": "c-a", "amount": 200_000})  # 10,000
    expires = (datetime.now(UTC) + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"adjustment_id": "adj-1", "amount": 5_000, "reason": "جبران تأخیر", "expires_at": expires}
    made = _adjust(shop, "c-a", body)
    assert made.status_code == 201, made.text
    answer = made.json()
    assert answer["balance"] == 15_000 and answer["expires_at"] == expires
    assert answer["by"] == "key …" + shop.keys["api_key"][-4:]
    again = _adjust(shop, "c-a", body)
    assert again.status_code == 201 and again.json() == answer  # a retry: the same answer, nothing new
    conflict = _adjust(shop, "c-a", {**body, "amount": 6_000})
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "idempotency_conflict"
    other_customer = _adjust(shop, "c-b", body)
    assert other_customer.status_code in (404, 409)

    top = _ledger(shop, "c-a")[0]
    assert (top["type"], top["amount"], top["balance_after"], top["ref"]) == (
        "adjust",
        5_000,
        15_000,
        "adj-1",
    )
    assert top["reason"] == "جبران تأخیر" and top["by"] == answer["by"]
    lots = shop.call("GET", "/v1/customers/c-a").json()["expiring"]
    assert {"amount": 5_000, "expires_at": expires} in lots

    too_much = _adjust(shop, "c-a", {"adjustment_id": "adj-2", "amount": -15_001, "reason": "x"})
    assert too_much.status_code == 409 and too_much.json()["error"]["code"] == "insufficient_balance"
    assert shop.call("GET", "/v1/customers/c-a").json()["balance"] == 15_000
    taken = _adjust(shop, "c-a", {"adjustment_id": "adj-2", "amount": -12_000, "reason": "اشتباه ثبت"})
    assert (
        taken.status_code == 201 and taken.json()["balance"] == 3_000 and taken.json()["expires_at"] is None
    )
    # Soonest-expiring first: the order's 30-day credit went entirely, the 90-day lot gave 2,000.
    assert shop.call("GET", "/v1/customers/c-a").json()["expiring"] == [
        {"amount": 3_000, "expires_at": expires}
    ]
    ledger = _ledger(shop, "c-a")
    assert sum(int(str(e["amount"])) for e in ledger) == 3_000 == ledger[0]["balance_after"]


def test_adjustment_refusals_name_the_field(shop: Shop) -> None:
    shop.call("POST", "/v1/purchases", {"order_id": "o-r", "customer_id": "c-r", "amount": 1000})
    past = at(day(-1))
    for body, field in (
        ({"amount": 1, "reason": "x"}, "adjustment_id"),
        ({"adjustment_id": "a", "amount": 0, "reason": "x"}, "amount"),
        ({"adjustment_id": "a", "amount": 1.5, "reason": "x"}, "amount"),
        ({"adjustment_id": "a", "amount": "5", "reason": "x"}, "amount"),
        ({"adjustment_id": "a", "amount": 5}, "reason"),
        ({"adjustment_id": "a", "amount": 5, "reason": "   "}, "reason"),
        ({"adjustment_id": "a", "amount": 5, "reason": "a\nb"}, "reason"),
        ({"adjustment_id": "a", "amount": 5, "reason": "x", "expires_at": past}, "expires_at"),
        ({"adjustment_id": "a", "amount": 5, "reason": "x", "expires_at": "tomorrow"}, "expires_at"),
        (
            {"adjustment_id": "a", "amount": -1, "reason": "x", "expires_at": "2099-01-01T00:00:00Z"},
            "expires_at",
        ),
    ):
        answer = _adjust(shop, "c-r", body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["error"]["field"] == field, (body, answer.text)
    missing = _adjust(shop, "c-nobody", {"adjustment_id": "a", "amount": 5, "reason": "x"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "customer_not_found"


def test_racing_copies_of_one_adjustment_apply_once(shop: Shop) -> None:
    shop.call("POST", "/v1/purchases", {"order_id": "o-race", "customer_id": "c-race", "amount": 200_000})
    body = {"adjustment_id": "adj-race", "amount": -4_000, "reason": "race"}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: _adjust(shop, "c-race", body), range(6)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.text for a in answers}) == 1
    assert shop.call("GET", "/v1/customers/c-race").json()["balance"] == 6_000


def test_feedback_is_listed_per_customer_and_counted_as_nps(shop: Shop) -> None:
    from vafa.messaging import links

    merchant = shop.keys["merchant_id"]
    _put(shop, "c-fb", name="فرناز")
    scores = [("o-1", 10, "عالی بود"), ("o-2", 9, None), ("o-3", 7, None), ("o-4", 3, "دیر رسید")]
    for order, score, comment in scores:
        token = links.sign("f", {"m": merchant, "c": "c-fb", "o": order, "n": "x"})
        body: dict[str, object] = {"score": score, **({"comment": comment} if comment else {})}
        assert requests.post(f"{shop.base}/v1/feedback/{token}", json=body, timeout=10).status_code == 201
        # A second answer to the same ask counts nowhere.
        assert (
            requests.post(f"{shop.base}/v1/feedback/{token}", json={"score": 0}, timeout=10).status_code
            == 200
        )

    first = shop.call("GET", "/v1/customers/c-fb/feedback", params={"limit": 3}).json()
    assert [f["order_id"] for f in first["items"]][0] in {"o-4", "o-3", "o-2", "o-1"}
    rest = shop.call("GET", "/v1/customers/c-fb/feedback", params={"cursor": first["next_cursor"]}).json()
    listed = first["items"] + rest["items"]
    assert sorted((f["order_id"], f["score"], f["comment"]) for f in listed) == sorted(scores)
    assert [f["at"] for f in listed] == sorted((f["at"] for f in listed), reverse=True)
    assert shop.call("GET", "/v1/customers/c-none/feedback").status_code == 404

    metrics = shop.call("GET", "/v1/metrics").json()["feedback"]
    # 2 promoters, 1 passive, 1 detractor of 4: NPS = 50 - 25 = 25; average 29/4.
    assert metrics == {
        "count": 4,
        "average": 7.25,
        "nps": 25,
        "promoters": 2,
        "passives": 1,
        "detractors": 1,
        "comments": 2,
    }
    before = shop.call("GET", "/v1/metrics", params={"to": day(-2000)}).json()["feedback"]
    assert before["count"] == 0 and before["nps"] is None and before["average"] is None
