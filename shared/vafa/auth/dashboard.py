"""Dashboard sign-in without a key in any URL: a short-lived login link from the CLI, then a session.

`vafa dashboard-link` signs a login token valid for minutes and prints it in the URL's fragment, which
browsers never send to servers or write to logs. The page trades it at `POST /v1/dashboard/session`
for a session token valid for hours. Both are signed with the deployment's link key (Secrets Manager,
`VAFA_LINK_SECRET_ARN`), carry the merchant, an expiry and a purpose of their own, so neither can
stand in for the other or for any other signed link. A session only reads: the insight routes the
dashboard shows, never money, customers or settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from vafa.errors import Unauthorized
from vafa.messaging import links
from vafa.timeutil import iso

SESSION_PREFIX = "vds."
LOGIN_PURPOSE, SESSION_PURPOSE = "dl", "ds"
LOGIN_MINUTES, SESSION_HOURS = 15, 8
# What a session may read: these paths exactly, and the ones below them for the collections.
_READ_EXACT = ("/v1/metrics", "/v1/program")
_READ_TREES = ("/v1/campaigns", "/v1/segments")


def login_token(merchant_id: str, now: datetime, minutes: int = LOGIN_MINUTES) -> str:
    """A one-step sign-in for `merchant_id`, good for `minutes` from `now`."""
    expires = int((now + timedelta(minutes=minutes)).timestamp())
    return links.sign(LOGIN_PURPOSE, {"m": merchant_id, "x": expires})


def _merchant(purpose: str, token: str, now: datetime) -> str:
    try:
        payload = links.verify(purpose, token)
    except links.BadToken:
        raise Unauthorized("this sign-in is not valid; ask for a new link") from None
    expires, merchant_id = payload.get("x"), payload.get("m")
    if not isinstance(expires, int) or not isinstance(merchant_id, str) or not merchant_id:
        raise Unauthorized("this sign-in is not valid; ask for a new link")
    if expires <= now.timestamp():
        raise Unauthorized("this sign-in has expired; ask for a new link")
    return merchant_id


def open_session(token: str, now: datetime) -> dict[str, str]:
    """Trade a login token for a session token (`vds.` + signed payload)."""
    merchant_id = _merchant(LOGIN_PURPOSE, token, now)
    expires = now + timedelta(hours=SESSION_HOURS)
    session = links.sign(SESSION_PURPOSE, {"m": merchant_id, "x": int(expires.timestamp())})
    return {"session": SESSION_PREFIX + session, "merchant_id": merchant_id, "expires_at": iso(expires)}


def session_may(path: str, method: str) -> bool:
    """Whether a dashboard session may make this request: reading insight, nothing else."""
    if method not in ("GET", "HEAD"):
        return False
    return path in _READ_EXACT or any(path == tree or path.startswith(tree + "/") for tree in _READ_TREES)


def session_merchant(token: str, path: str, method: str, now: datetime) -> str:
    """The merchant of a session token, if it may make this request; Unauthorized otherwise."""
    merchant_id = _merchant(SESSION_PURPOSE, token.removeprefix(SESSION_PREFIX), now)
    if not session_may(path, method):
        raise Unauthorized("a dashboard session can only read insight; use the API key for this")
    return merchant_id
