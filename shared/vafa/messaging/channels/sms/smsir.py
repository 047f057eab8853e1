"""SMS.ir (REST API v1): `POST /v1/send/bulk` with JSON and the `X-API-KEY` header.

Every answer is `{"status", "message", "data"}`. `status` 1 is success, with `data` holding
`{"packId", "messageIds", "cost"}`; a number on the blacklist comes back with message id 0. Any other
`status` is an error carried in the body, with HTTP 200, 400 (a logical error) or 401 (the key);
HTTP 429 and 5xx mean "try later". SMS.ir reaches Iranian mobiles only, written 09xxxxxxxxx, and
the line number (`sender`) travels as a number. The key goes in a header, never in the URL, and
never appears in anything this adapter returns.
"""

from __future__ import annotations

import json

from vafa.messaging.channels.sms.base import (
    SmsResult,
    ambiguous,
    permanent,
    transient,
    unsupported_destination,
)
from vafa.messaging.channels.sms.http import HttpFailure, request

OK = 1
# The statuses SMS.ir documents for its v1 API, by what the sender should do about them.
TRANSIENT_STATUSES = {0: "server_error", 20: "too_many_requests"}
PERMANENT_STATUSES = {
    10: "invalid_api_key",
    11: "api_key_disabled",
    12: "ip_not_allowed",
    13: "account_inactive",
    14: "account_suspended",
    15: "plan_upgrade_required",
    16: "invalid_parameters",
    101: "invalid_sender",
    102: "insufficient_credit",
    103: "message_empty",
    104: "invalid_receptor",
    105: "too_many_receptors",
    107: "no_receptors",
    109: "invalid_send_time",
    115: "recipient_blacklisted",
    117: "message_not_approved",
    118: "too_many_messages",
    123: "sender_not_activated",
}
REFUSED_STATUSES = {104, 115}  # the number itself is the problem, not the account
BLACKLISTED_ID = 0


def national_mobile(e164: str) -> str | None:
    """`+989121234567` → `09121234567`; None for numbers outside Iran, which SMS.ir cannot reach."""
    return "0" + e164[3:] if e164.startswith("+98") else None


class SmsIr:
    def __init__(
        self,
        api_key: str,
        sender: str | None,
        *,
        base_url: str = "https://api.sms.ir",
        timeout: float = 5.0,
    ) -> None:
        self._key = api_key
        self._sender = sender
        self._base = base_url.rstrip("/")
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"SmsIr(sender={self._sender!r}, base_url={self._base!r})"

    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult:
        mobile = national_mobile(to_e164)
        if mobile is None:
            return unsupported_destination()
        if not (self._sender or "").isdigit():
            return permanent("invalid_sender")
        body = {
            "lineNumber": int(str(self._sender)),
            "messageText": text,
            "mobiles": [mobile],
            "sendDateTime": None,
        }
        try:
            answer = request(
                "POST",
                f"{self._base}/v1/send/bulk",
                data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                timeout=self._timeout,
                redact=self._key,
                headers={
                    "X-API-KEY": self._key,
                    "Accept": "application/json",
                    "Content-Type": "application/json",
                },
            )
        except HttpFailure as exc:
            if exc.ambiguous:  # SMS.ir takes no id of ours and cannot be asked about this send
                return ambiguous(f"sms.ir gave no answer: {exc}")
            return transient(f"sms.ir unreachable: {exc}")
        if answer.status == 429 or answer.status >= 500:
            return transient(f"sms.ir http {answer.status}")
        envelope = answer.body if isinstance(answer.body, dict) else {}
        status = envelope.get("status")
        if type(status) is not int:
            return _without_status(answer.status)
        if status != OK:
            if status in TRANSIENT_STATUSES:
                return transient(f"sms.ir {TRANSIENT_STATUSES[status]}")
            reason = PERMANENT_STATUSES.get(status, f"smsir_status_{status}")
            return permanent(reason, "refused" if status in REFUSED_STATUSES else "failed")
        return _accepted(envelope.get("data"))


def _without_status(http_status: int) -> SmsResult:
    """An answer that is not SMS.ir's envelope: a proxy, a maintenance page, an auth wall."""
    if http_status == 401:
        return permanent("invalid_api_key")
    if http_status == 200:
        return transient("sms.ir answered without a status")
    return permanent(f"smsir_http_{http_status}")


def _accepted(data: object) -> SmsResult:
    """Status 1: the pack was accepted. Never retried from here on, so nothing is sent twice."""
    data = data if isinstance(data, dict) else {}
    ids = data.get("messageIds") or []
    first = ids[0] if isinstance(ids, list) and ids else None
    if first == BLACKLISTED_ID:
        return permanent("recipient_blacklisted", "refused")
    provider_id = first if first is not None else data.get("packId")
    cost = data.get("cost")
    whole = int(cost) if isinstance(cost, int | float) and float(cost).is_integer() else None
    return SmsResult("sent", str(provider_id) if provider_id is not None else None, cost=whole)
