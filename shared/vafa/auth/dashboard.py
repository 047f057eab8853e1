"""Dashboard sign-in without a key in any URL: a short-lived login link from the CLI, then a session.

`vafa dashboard-link` signs a login token valid for minutes and prints it in the URL's fragment, which
browsers never send to servers or write to logs. The page trades it at `POST /v1/dashboard/session`
for a session token valid for hours. A session token grants the dashboard's routes only: reading
insight and the program, previewing segments and running campaigns; never money or settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from vafa.errors import Unauthorized
from vafa.retention import links
from vafa.timeutil import iso

SESSION_PREFIX = "vds."
LOGIN_PURPOSE, SESSION_PURPOSE = "dl", "ds"
SESSION_HOURS = 8
_READ = ("/v1/metrics", "/v1/program", "/v1/campaigns", "/v1/segments")
_WRITE = ("/v1/campaigns", "/v1/segments/preview")


def login_token(merchant_id: str, now: datetime, minutes: int = 15) -> str:
    return links.sign(
        LOGIN_PURPOSE, {"m": merchant_id, "x": int((now + timedelta(minutes=minutes)).timestamp())}
    )


def _merchant(purpose: str, token: str, now: datetime) -> str:
    try:
        payload = links.verify(purpose, token)
    except links.BadToken:
        raise Unauthorized("this sign-in is not valid; ask for a new link") from None
    if int(payload.get("x", 0)) < now.timestamp():
        raise Unauthorized("this sign-in has expired; ask for a new link")
    return str(payload["m"])


def open_session(token: str, now: datetime) -> dict[str, str]:
    """Trade a login token for a session token."""
    merchant_id = _merchant(LOGIN_PURPOSE, token, now)
    expires = now + timedelta(hours=SESSION_HOURS)
    session = links.sign(SESSION_PURPOSE, {"m": merchant_id, "x": int(expires.timestamp())})
    return {"session": SESSION_PREFIX + session, "merchant_id": merchant_id, "expires_at": iso(expires)}


def session_merchant(token: str, path: str, method: str, now: datetime) -> str:
    """The merchant of a session token, if it may make this request."""
    merchant_id = _merchant(SESSION_PURPOSE, token.removeprefix(SESSION_PREFIX), now)
    allowed = path.startswith(_READ) if method in ("GET", "HEAD") else path.startswith(_WRITE)
    if not allowed:
        raise Unauthorized("a dashboard session cannot make this request; use the API key")
    return merchant_id
