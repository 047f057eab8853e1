"""Amazon SNS for numbers outside Iran: one `Publish` to the phone number per message.

The message type (`Transactional` for reminders, `Promotional` for marketing) and an optional
SenderID ride as SMS message attributes. Throttling and server errors are retried through the
queue; an opted-out or invalid number is refused for good.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from vafa.messaging.channels.sms.base import SmsResult, ambiguous, permanent, transient

TRANSIENT_CODES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "KMSThrottling",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "RequestTimeout",
}
OPTED_OUT_CODES = {"OptedOut", "OptedOutException"}
INVALID_CODES = {"InvalidParameter", "InvalidParameterValue", "ValidationError"}


@lru_cache(maxsize=4)
def _client(region: str, endpoint: str | None) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})
    return boto3.client("sns", region_name=region, endpoint_url=endpoint, config=config)


def sns_client() -> Any:
    """One client per region and endpoint (AWS_ENDPOINT_URL points it at a stand-in), made on first use."""
    from vafa.config import settings

    endpoint = os.environ.get("AWS_ENDPOINT_URL_SNS") or os.environ.get("AWS_ENDPOINT_URL")
    return _client(settings().region, endpoint or None)


class Sns:
    def __init__(self, sender_id: str | None = None, client: Any = None) -> None:
        self._sender_id = sender_id
        self._client = client

    def __repr__(self) -> str:
        return f"Sns(sender_id={self._sender_id!r})"

    def client(self) -> Any:
        if self._client is None:
            self._client = sns_client()
        return self._client

    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult:
        from botocore.exceptions import BotoCoreError, ClientError

        attributes = {
            "AWS.SNS.SMS.SMSType": {
                "DataType": "String",
                "StringValue": "Promotional" if promotional else "Transactional",
            }
        }
        if self._sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": self._sender_id}
        try:
            answer = self.client().publish(PhoneNumber=to_e164, Message=text, MessageAttributes=attributes)
        except ClientError as exc:
            return classify(exc.response)
        except BotoCoreError as exc:  # connection refused, read timeout, no credentials
            from botocore.exceptions import ReadTimeoutError

            if isinstance(exc, ReadTimeoutError):  # published, perhaps: SNS cannot be asked
                return ambiguous(f"sns gave no answer: {type(exc).__name__}")
            return transient(f"sns unreachable: {type(exc).__name__}")
        return SmsResult("sent", str(answer.get("MessageId")))


def classify(response: Mapping[str, Any]) -> SmsResult:
    """What an SNS error means for this message."""
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    http_status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    if code in TRANSIENT_CODES or http_status >= 500 or http_status == 429:
        return transient(f"sns {code or http_status}")
    if code in OPTED_OUT_CODES:
        return permanent("recipient_opted_out", "refused")
    if code in INVALID_CODES:
        if "phone" in str(error.get("Message", "")).lower():
            return permanent("invalid_receptor", "refused")
        return permanent("sns_invalid_parameter")
    return permanent(f"sns_{code or http_status}")
