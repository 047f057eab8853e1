"""Email through Amazon SES, with one-click List-Unsubscribe (RFC 8058)."""

from __future__ import annotations

import os
from email import policy
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any


def ses_client() -> Any:
    import boto3  # on first use only: PynamoDB needs botocore alone (cold start)

    from vafa.config import settings

    endpoint = os.environ.get("AWS_ENDPOINT_URL_SES") or os.environ.get("AWS_ENDPOINT_URL")
    return boto3.client("ses", region_name=settings().region, endpoint_url=endpoint or None)


def build(
    sender: str,
    sender_name: str | None,
    to: str,
    subject: str,
    body: str,
    unsubscribe: str | None,
    message_id: str,
) -> bytes:
    # Long unfoldable headers (signed URLs) must stay literal, not become RFC 2047 encoded-words.
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    message["From"] = formataddr((sender_name, sender)) if sender_name else sender
    message["To"] = to
    message["Subject"] = subject
    message["X-Vafa-Notification"] = message_id
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body + (f"\n\n{unsubscribe}" if unsubscribe else ""))
    return message.as_bytes()


def send(client: Any, raw: bytes, sender: str, to: str) -> str:
    answer = client.send_raw_email(Source=sender, Destinations=[to], RawMessage={"Data": raw})
    return str(answer["MessageId"])
