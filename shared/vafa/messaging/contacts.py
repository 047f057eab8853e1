"""The customer's contact record: opt-outs per channel, push subscriptions count, recent marketing."""

from __future__ import annotations

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from vafa.store import keys as k
from vafa.store.models import ContactItem
from vafa.store.table import ensure_configured


def update_contact(merchant_id: str, customer_id: str, actions: list[Action]) -> None:
    """Apply atomic changes to the contact record, creating it first if the customer has none."""
    update_contact_at(k.customer_pk(merchant_id, customer_id), actions)


def update_contact_at(cpk: str, actions: list[Action]) -> None:
    """The same for the contact record in partition `cpk` (a customer's, or an anonymous visitor's)."""
    ensure_configured()
    for _ in range(3):
        try:
            ContactItem(cpk, k.CONTACT).update(
                actions=actions, condition=ContactItem.PK.exists(), add_version_condition=False
            )
            return
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
        try:
            ContactItem(cpk, k.CONTACT, opted_out={}, marketing_sent="[]", push_count=0).save()
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
    raise RuntimeError("contact record could not be updated")


def set_opt_out(merchant_id: str, customer_id: str, channel: str, opted_out: bool) -> None:
    update_contact(merchant_id, customer_id, [ContactItem.opted_out[channel].set(opted_out)])
