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


def manager_session(merchant_id: str = "m1", user: str = "Sara") -> str:
    token = dashboard.login_token(merchant_id, NOW, role="manager", user=user)
    return dashboard.open_session(token, NOW)["session"]


# (method, path, viewer may, manager may)
SCOPE = [
    ("GET", "/v1/metrics", True, True),
    ("GET", "/v1/program", True, True),
    ("GET", "/v1/segments", True, True),
    ("GET", "/v1/campaigns", True, True),
    ("GET", "/v1/campaigns/c-1", True, True),
    ("GET", "/v1/audit", True, True),
    ("GET", "/v1/customers", True, True),
    ("GET", "/v1/customers/c-1", True, True),
    ("GET", "/v1/customers/c-1/ledger", True, True),
    ("GET", "/v1/exports/customers.csv", True, True),
    ("POST", "/v1/segments/preview", True, True),
    ("POST", "/v1/templates/preview", True, True),
    ("PUT", "/v1/program", False, True),
    ("POST", "/v1/campaigns", False, True),
    ("POST", "/v1/campaigns/c-1/cancel", False, True),
    ("POST", "/v1/customers/c-1/adjustments", False, True),
    ("POST", "/v1/purchases", False, False),
    ("POST", "/v1/redemptions", False, False),
    ("PUT", "/v1/customers/c-1", False, False),
    ("POST", "/v1/customers/c-1/token", False, False),
    ("PUT", "/v1/integrations/woocommerce", False, False),
    ("GET", "/v1/programs", False, False),
    ("GET", "/v1/metrics/raw", False, False),
]


@pytest.mark.parametrize(("method", "path", "viewer", "manager"), SCOPE)
def test_what_each_role_may_do(method: str, path: str, viewer: bool, manager: bool) -> None:
    assert dashboard.session_may(path, method, "viewer") is viewer
    assert dashboard.session_may(path, method, "manager") is manager
    if manager:
        assert dashboard.session_identity(manager_session(), path, method, NOW) == ("m1", "manager", "Sara")
    if not viewer:
        # A change a manager could make is 403 for a viewer (the page says so); anything else is 401.
        error = dashboard.ReadOnlySession if manager else Unauthorized
        with pytest.raises(error):
            dashboard.session_merchant(session_of(), path, method, NOW)


def test_a_link_without_a_role_is_a_viewer_and_roles_are_checked() -> None:
    legacy = links.sign(dashboard.LOGIN_PURPOSE, {"m": "m1", "x": int(NOW.timestamp()) + 600})
    opened = dashboard.open_session(legacy, NOW)
    assert (opened["role"], opened["user"]) == ("viewer", dashboard.DEFAULT_USER)
    admin = links.sign(dashboard.LOGIN_PURPOSE, {"m": "m1", "x": int(NOW.timestamp()) + 600, "r": "admin"})
    with pytest.raises(Unauthorized):
        dashboard.open_session(admin, NOW)
    with pytest.raises(ValueError):
        dashboard.login_token("m1", NOW, role="admin")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        dashboard.login_token("m1", NOW, user="two\nlines")
