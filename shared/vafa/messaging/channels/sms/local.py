"""The development provider: keeps messages in memory instead of sending them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from vafa.messaging.channels.sms.base import SmsResult

_ids = itertools.count(1)


@dataclass
class LocalSms:
    outbox: list[dict[str, str]] = field(default_factory=list)

    def send(self, to_e164: str, text: str, *, local_id: str, promotional: bool) -> SmsResult:
        self.outbox.append({"to": to_e164, "text": text, "local_id": local_id})
        return SmsResult("sent", f"local-{next(_ids)}")


LOCAL = LocalSms()
