"""Dashboard sign-in tokens: expiry, purpose and the read-only scope of a session (no AWS needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from vafa.auth import dashboard
from vafa.errors import Unauthorized
from vafa.messaging import links

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def deployment_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(links, "link_signing_key", lambda: b"k" * 32)


def session_of(merchant_id: str = "m1", at: datetime = NOW) -> str:
    return dashboard.open_session(dashboard.login_token(merchant_id, at), at)["session"]


def test_a_login_link_opens_a_session_for_its_merchant_until_it_expires() -> None:
    token = dashboard.login_token("m1", NOW, minutes=15)

    opened = dashboard.open_session(token, NOW + timedelta(minutes=14))

    assert opened["merchant_id"] == "m1" and opened["session"].startswith(dashboard.SESSION_PREFIX)
    assert opened["expires_at"] == "2026-11-23T18:14:00Z"
    with pytest.raises(Unauthorized, match="expired"):
        dashboard.open_session(token, NOW + timedelta(minutes=15))


def test_a_session_expires_after_its_hours() -> None:
    session = session_of()
    later = NOW + timedelta(hours=dashboard.SESSION_HOURS)

    assert dashboard.session_merchant(session, "/v1/metrics", "GET", later - timedelta(seconds=1)) == "m1"
    with pytest.raises(Unauthorized):
        dashboard.session_merchant(session, "/v1/metrics", "GET", later)


def test_login_and_session_tokens_cannot_stand_in_for_each_other_or_for_other_links() -> None:
    login, session = dashboard.login_token("m1", NOW), session_of()
    feedback = links.sign("f", {"m": "m1", "x": int(NOW.timestamp()) + 600})

    with pytest.raises(Unauthorized):
        dashboard.session_merchant(dashboard.SESSION_PREFIX + login, "/v1/metrics", "GET", NOW)
    with pytest.raises(Unauthorized):
        dashboard.open_session(session.removeprefix(dashboard.SESSION_PREFIX), NOW)
    with pytest.raises(Unauthorized):
        dashboard.open_session(feedback, NOW)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/v1/metrics", True),
        ("GET", "/v1/program", True),
        ("GET", "/v1/segments", True),
        ("GET", "/v1/campaigns", True),
        ("GET", "/v1/campaigns/c-1", True),
        ("PUT", "/v1/program", False),
        ("POST", "/v1/purchases", False),
        ("POST", "/v1/redemptions", False),
        ("POST", "/v1/campaigns", False),
        ("POST", "/v1/campaigns/c-1/cancel", False),
        ("POST", "/v1/segments/preview", False),
        ("GET", "/v1/customers/c-1", False),
        ("GET", "/v1/customers", False),
        ("GET", "/v1/programs", False),
        ("GET", "/v1/metrics/raw", False),
    ],
)
def test_a_session_only_reads_insight(method: str, path: str, allowed: bool) -> None:
    assert dashboard.session_may(path, method) is allowed
    if not allowed:
        with pytest.raises(Unauthorized):
            dashboard.session_merchant(session_of(), path, method, NOW)
