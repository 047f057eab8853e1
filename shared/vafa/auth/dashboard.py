"""Dashboard sign-in without a key in any URL: a short-lived login link from the CLI, then a session.

`vafa dashboard-link` signs a login token valid for minutes and prints it in the URL's fragment, which
browsers never send to servers or write to logs. The page trades it at `POST /v1/dashboard/session`
for a session token valid for hours. Both are signed with the deployment's link key (Secrets Manager,
`VAFA_LINK_SECRET_ARN`), carry the merchant, an expiry, a role and a purpose of their own, so neither
can stand in for the other or for any other signed link.

A session rides in `Authorization: Bearer`, never in a cookie, so another site cannot make the browser
send it. A `viewer` session reads the panel's routes; a `manager` session also changes what the panel
changes (settings, templates, campaigns, balance adjustments). Neither records purchases, spends
credit, edits customers or touches integrations: those stay with the API key.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal

from vafa.errors import Unauthorized, VafaError
from vafa.messaging import links
from vafa.timeutil import iso

SESSION_PREFIX = "vds."
LOGIN_PURPOSE, SESSION_PURPOSE = "dl", "ds"
LOGIN_MINUTES, SESSION_HOURS = 15, 8
Role = Literal["viewer", "manager"]
ROLES: tuple[Role, ...] = ("viewer", "manager")
DEFAULT_USER = "dashboard"
_USER = re.compile(r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]{1,64}")

# What the panel reads: these paths exactly, and the ones below them for the collections.
_READ_EXACT = ("/v1/metrics", "/v1/program", "/v1/audit", "/v1/customers")
_READ_TREES = ("/v1/campaigns", "/v1/segments", "/v1/customers/", "/v1/exports")
# Reads sent as POST (a body describes what to look at); they change nothing, so viewers may use them.
_POST_READS = ("/v1/segments/preview", "/v1/templates/preview")
# The changes a manager makes through the panel, as (method, pattern).
_MANAGER_WRITES = (
    ("PUT", re.compile(r"/v1/program")),
    ("POST", re.compile(r"/v1/campaigns")),
    ("POST", re.compile(r"/v1/campaigns/[^/]+/cancel")),
    ("POST", re.compile(r"/v1/customers/[^/]+/adjustments")),
)
# Never through a session, whatever its role: a customer's token is a credential for their wallet.
_NEVER = re.compile(r"/v1/customers/[^/]+/(token|visitors)")


class ReadOnlySession(VafaError):
    """A viewer's session asked to change something a manager may change."""

    status = 403
    code = "read_only_session"


def login_token(
    merchant_id: str,
    now: datetime,
    minutes: int = LOGIN_MINUTES,
    role: Role = "viewer",
    user: str = DEFAULT_USER,
) -> str:
    """A one-step sign-in for `merchant_id` as `role`, good for `minutes` from `now`; `user` names who
    holds it in the audit list."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not _USER.fullmatch(user):
        raise ValueError("user must be 1-64 characters on one line")
    expires = int((now + timedelta(minutes=minutes)).timestamp())
    return links.sign(LOGIN_PURPOSE, {"m": merchant_id, "x": expires, "r": role, "u": user})


def _payload(purpose: str, token: str, now: datetime) -> tuple[str, Role, str]:
    try:
        payload = links.verify(purpose, token)
    except links.BadToken:
        raise Unauthorized("this sign-in is not valid; ask for a new link") from None
    expires, merchant_id = payload.get("x"), payload.get("m")
    if not isinstance(expires, int) or not isinstance(merchant_id, str) or not merchant_id:
        raise Unauthorized("this sign-in is not valid; ask for a new link")
    if expires <= now.timestamp():
        raise Unauthorized("this sign-in has expired; ask for a new link")
    # Links signed before roles existed carry none: they read, as they always did.
    role = payload.get("r", "viewer")
    user = payload.get("u", DEFAULT_USER)
    if role not in ROLES or not isinstance(user, str):
        raise Unauthorized("this sign-in is not valid; ask for a new link")
    return merchant_id, role, user


def open_session(token: str, now: datetime) -> dict[str, str]:
    """Trade a login token for a session token (`vds.` + signed payload) with the link's role."""
    merchant_id, role, user = _payload(LOGIN_PURPOSE, token, now)
    expires = now + timedelta(hours=SESSION_HOURS)
    payload = {"m": merchant_id, "x": int(expires.timestamp()), "r": role, "u": user}
    session = links.sign(SESSION_PURPOSE, payload)
    return {
        "session": SESSION_PREFIX + session,
        "merchant_id": merchant_id,
        "expires_at": iso(expires),
        "role": role,
        "user": user,
    }


def _reads(path: str, method: str) -> bool:
    if method in ("GET", "HEAD"):
        return path in _READ_EXACT or any(
            path == tree.rstrip("/") or path.startswith(tree.rstrip("/") + "/") for tree in _READ_TREES
        )
    return method == "POST" and path in _POST_READS


def _manages(path: str, method: str) -> bool:
    return any(method == verb and pattern.fullmatch(path) for verb, pattern in _MANAGER_WRITES)


def session_may(path: str, method: str, role: Role = "viewer") -> bool:
    """Whether a dashboard session of `role` may make this request."""
    if _NEVER.fullmatch(path):
        return False
    return _reads(path, method) or (role == "manager" and _manages(path, method))


def session_identity(token: str, path: str, method: str, now: datetime) -> tuple[str, Role, str]:
    """The merchant, role and user of a session token that may make this request.

    Unauthorized for what no session may do; ReadOnlySession (403) when a viewer asks for a change
    a manager could make, so the page can say so instead of signing the viewer out."""
    merchant_id, role, user = _payload(SESSION_PURPOSE, token.removeprefix(SESSION_PREFIX), now)
    if session_may(path, method, role):
        return merchant_id, role, user
    if _manages(path, method) and not _NEVER.fullmatch(path):
        raise ReadOnlySession("this sign-in can only view; ask for a manager link to change settings")
    raise Unauthorized("a dashboard session cannot do this; use the API key")


def session_merchant(token: str, path: str, method: str, now: datetime) -> str:
    """The merchant of a session token, if it may make this request."""
    return session_identity(token, path, method, now)[0]
