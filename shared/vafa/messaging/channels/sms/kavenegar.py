"""Kavenegar: `POST /v1/{API-KEY}/sms/send.json` with form fields; errors in HTTP status or `return`.

Kavenegar answers `{"return": {"status", "message"}, "entries": [...]}`; `return.status` 200 is
success. Entry status 14 means the recipient refuses advertising messages. The API key is part of
the URL, so it is redacted from every error this adapter raises or returns.
"""

from __future__ import annotations

import urllib.parse

from vafa.messaging.channels.sms.base import SmsResult, ambiguous, permanent, transient
from vafa.messaging.channels.sms.http import HttpFailure, request

# Codes that mean "try later" (server-side trouble or throttling); the rest are permanent.
_TRANSIENT = {429, 500, 502, 503, 504}
_PERMANENT_REASONS = {
    400: "invalid_parameters",
    401: "account_disabled",
    403: "invalid_api_key",
    404: "unknown_method",
    405: "wrong_http_method",
    411: "invalid_receptor",
    412: "invalid_sender",
    413: "message_empty_or_too_long",
    414: "too_many_receptors",
    417: "invalid_date",
    418: "insufficient_credit",
    422: "invalid_characters",
    424: "template_not_found",
    426: "ip_not_allowed",
    428: "call_not_allowed",
    431: "invalid_code",
    432: "invalid_parameter",
    607: "invalid_tag",
}
REFUSES_ADS = 14


def local_number(e164: str) -> str:
    """Kavenegar expects Iranian numbers as 09xxxxxxxxx; others as international digits."""
    return "0" + e164[3:] if e164.startswith("+98") else "00" + e164.lstrip("+")


class Kavenegar:
    def __init__(
        self,
        api_key: str,
        sender: str | None,
        *,
        base_url: str = "https://api.kavenegar.com",
        timeout: float = 5.0,
    ) -> None:
        self._key = api_key
        self._sender = sender
        self._base = base_url.rstrip("/")
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"Kavenegar(sender={self._sender!r}, base_url={self._base!r})"

    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult:
        fields = {"receptor": local_number(to_e164), "message": text, "localid": local_id}
        if self._sender:
            fields["sender"] = self._sender
        url = f"{self._base}/v1/{urllib.parse.quote(self._key, safe='')}/sms/send.json"
        try:
            answer = request(
                "POST",
                url,
                data=urllib.parse.urlencode(fields).encode(),
                timeout=self._timeout,
                redact=self._key,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                    "Accept": "application/json",
                },
            )
        except HttpFailure as exc:
            if exc.ambiguous:
                return ambiguous(f"kavenegar gave no answer: {exc}")
            return transient(f"kavenegar unreachable: {exc}")
        envelope = answer.body if isinstance(answer.body, dict) else {}
        code = int((envelope.get("return") or {}).get("status") or answer.status)
        if code != 200:
            if code in _TRANSIENT or answer.status >= 500:
                return transient(f"kavenegar {code}")
            return permanent(_PERMANENT_REASONS.get(code, f"kavenegar_{code}"))
        entries = envelope.get("entries") or []
        if not entries:
            return transient("kavenegar answered without entries")
        entry = entries[0]
        if int(entry.get("status", 0)) == REFUSES_ADS:
            return permanent("recipient_refuses_ads", "refused")
        return SmsResult("sent", str(entry.get("messageid")), cost=entry.get("cost"))

    def lookup(self, local_id: str) -> SmsResult | None:
        """`sms/statuslocalmessageid`: the message we sent under `localid`, if Kavenegar has it."""
        url = f"{self._base}/v1/{urllib.parse.quote(self._key, safe='')}/sms/statuslocalmessageid.json"
        try:
            answer = request(
                "POST",
                url,
                data=urllib.parse.urlencode({"localid": local_id}).encode(),
                timeout=self._timeout,
                redact=self._key,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            )
        except HttpFailure as exc:
            return transient(f"kavenegar status unreachable: {exc}")
        envelope = answer.body if isinstance(answer.body, dict) else {}
        if int((envelope.get("return") or {}).get("status") or answer.status) != 200:
            return transient("kavenegar could not report the message's status")
        for entry in envelope.get("entries") or []:
            if str(entry.get("localid")) == local_id and int(entry.get("messageid") or 0) > 0:
                return SmsResult("sent", str(entry["messageid"]))
        return None
