"""A message the engine would like to send: what every kind of due work hands to the decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Candidate:
    """A message the engine would like to send."""

    kind: str
    dedupe_key: str
    ref: str
    values: dict[str, Any] = field(default_factory=dict)
    target_url: str | None = None
    campaign_id: str | None = None
    template: dict[str, str] | None = None  # {"fa": "...", "en": "..."} for campaigns
    channel: str | None = None  # force one channel (campaigns may)
