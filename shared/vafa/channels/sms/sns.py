"""Amazon SNS for numbers outside Iran: one `Publish` to the phone number per message."""

from __future__ import annotations

from typing import Any

from vafa.channels.sms.base import SmsResult, permanent, transient

_TRANSIENT = {"Throttling", "ThrottledException", "InternalError", "InternalFailure", "ServiceUnavailable"}
_REFUSED = {"OptedOut", "OptedOutException"}


class Sns:
    def __init__(self, sender_id: str | None = None, client: Any = None) -> None:
        self._sender_id = sender_id
        self._client = client

    def __repr__(self) -> str:
        return f"Sns(sender_id={self._sender_id!r})"

    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sns")  # AWS_ENDPOINT_URL, when set, points it at a stand-in
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
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if (
                code in _TRANSIENT
                or int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)) >= 500
            ):
                return transient(f"sns {code}")
            if code in _REFUSED:
                return permanent("recipient_opted_out", "refused")
            return permanent(f"sns_{code or 'error'}")
        except BotoCoreError as exc:
            return transient(f"sns unreachable: {type(exc).__name__}")
        return SmsResult("sent", str(answer.get("MessageId")))
