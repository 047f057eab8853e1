"""SMS.ir: `POST /v1/send/bulk` with JSON and the `X-API-KEY` header; errors in HTTP status or `status`.

SMS.ir answers `{"status": 1, "message": "...", "data": {"packId", "messageIds", "cost"}}`; any other
`status` is an error reported inside the body, often with HTTP 200. Numbers go as 09xxxxxxxxx.
The key travels in a header, never in the URL, and is redacted from anything this adapter reports.
"""

from __future__ import annotations

import json

from vafa.channels.sms.base import SmsResult, permanent, transient
from vafa.channels.sms.http import HttpFailure, request
from vafa.channels.sms.kavenegar import local_number

OK = 1
_TRANSIENT_STATUSES = {0, 20}  # server error, too many requests
_PERMANENT_REASONS = {
    10: "invalid_api_key",
    11: "api_key_disabled",
    12: "ip_not_allowed",
    13: "account_inactive",
    14: "account_suspended",
    101: "invalid_sender",
    102: "insufficient_credit",
    103: "message_empty_or_too_long",
    104: "invalid_receptor",
    105: "too_many_receptors",
    111: "recipient_blacklisted",
}
REFUSED = {104, 111}


class SmsIr:
    def __init__(
        self, api_key: str, sender: str | None, *, base_url: str = "https://api.sms.ir", timeout: float = 5.0
    ):
        self._key = api_key
        self._sender = sender
        self._base = base_url.rstrip("/")
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"SmsIr(sender={self._sender!r}, base_url={self._base!r})"

    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult:
        if not (self._sender or "").isdigit():
            return permanent("invalid_sender")
        body = {
            "lineNumber": int(str(self._sender)),
            "messageText": text,
            "mobiles": [local_number(to_e164)],
            "sendDateTime": None,
        }
        try:
            answer = request(
                "POST",
                f"{self._base}/v1/send/bulk",
                data=json.dumps(body, ensure_ascii=False).encode(),
                timeout=self._timeout,
                redact=self._key,
                headers={
                    "X-API-KEY": self._key,
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
            )
        except HttpFailure as exc:
            return transient(f"sms.ir unreachable: {exc}")
        envelope = answer.body if isinstance(answer.body, dict) else {}
        if answer.status == 429 or answer.status >= 500:
            return transient(f"sms.ir http {answer.status}")
        status = envelope.get("status")
        if answer.status == 401 and status is None:
            return permanent("invalid_api_key")
        if status != OK:
            code = int(status) if isinstance(status, int) else -1
            if code in _TRANSIENT_STATUSES:
                return transient(f"sms.ir status {code}")
            reason = _PERMANENT_REASONS.get(code, f"smsir_{code}")
            return permanent(reason, "refused" if code in REFUSED else "failed")
        data = envelope.get("data") or {}
        ids = data.get("messageIds") or []
        if not ids:
            return transient("sms.ir answered without message ids")
        cost = data.get("cost")
        return SmsResult("sent", str(ids[0]), cost=int(cost) if isinstance(cost, int | float) else None)
