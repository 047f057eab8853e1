"""Finding a merchant's customers by what a support person types: a name's prefix, a phone, an id.

Names are found through GSI1, without scanning the shop. Each customer whose name is set has up to
`MAX_SLOTS` small `NameKeyItem`s, one per word the name can be searched from ("سارا رضایی" is found
by "سا…" and by "رض…"), each on GSI1 under `M#m#NAME#<first letter>` with the normalised rest of the
name as the sort key. A search is one Query (`begins_with` on that key) plus one BatchGetItem for
the profiles, whatever the size of the shop: measured with 1,000 customers, 2 DynamoDB calls for a
name (`tests/integration/test_customer_search.py`), against 8 Queries of the member index and 10
BatchGetItems of profiles (18 calls, and growing with the shop) for a walk of the member list,
which projects no name. The keys are written only when a name changes, in the same transaction as
the profile (a purchase that repeats the name writes none). That is their price: the first purchase
of a new customer that carries a two-word name writes 15 WCU instead of 9 (`make bench --only
operations`: two 2-WCU transactional puts and their two index entries); a returning customer's
purchase stays at 6. The key cannot ride on the profile itself: its GSI1 keys are the phone's.

Matching ignores how the name was typed: Arabic ي/ك and Persian ی/ک, ZWNJ, spaces, tatweel, diacritics,
hamza forms of alef, Persian/Arabic-Indic digits and letter case all compare equal. The name is shown
as the shop wrote it; only the keys are normalised.
"""

from __future__ import annotations

import unicodedata

from vafa.store import keys as k
from vafa.store.models import NameKeyItem

MAX_SLOTS = 4  # words a name can be searched from; a fifth word of a name is only found from earlier ones
KEY_CHARS = 80  # of the normalised name kept in a key (a prefix search needs no more)

_LETTERS = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ـ": "",  # tatweel: a letter to str.isalnum, stretching only to a reader
        **{chr(0x06F0 + d): str(d) for d in range(10)},
        **{chr(0x0660 + d): str(d) for d in range(10)},
    }
)
_SEPARATORS = {"\u200c", "\u200d"}  # ZWNJ/ZWJ split words as spaces do ("محمد‌رضا" is found by "رضا")


def normalize_name(text: str) -> str:
    """The matching form: NFKC (presentation forms to letters), Persian letters, ASCII digits, case
    folded, and only letters and digits kept (spaces, ZWNJ, marks and punctuation dropped)."""
    folded = unicodedata.normalize("NFKC", text).translate(_LETTERS).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def words(name: str) -> list[str]:
    spaced = "".join(" " if ch in _SEPARATORS else ch for ch in name)
    return [w for w in (normalize_name(part) for part in spaced.split()) if w]


def name_keys(name: str | None) -> list[str]:
    """The normalised texts a name is found from: the whole name, then from each later word on."""
    parts = words(name or "")
    keys: list[str] = []
    for i in range(min(len(parts), MAX_SLOTS)):
        key = "".join(parts[i:])[:KEY_CHARS]
        if key not in keys:
            keys.append(key)
    return keys


def name_items(merchant_id: str, customer_id: str, old: str | None, new: str | None) -> list[NameKeyItem]:
    """The name-key items to put when a customer's name changes from `old` to `new` (none when the
    keys are the same): one per slot either name uses, slots `new` does not need without GSI1 keys."""
    before, after = name_keys(old), name_keys(new)
    if before == after:
        return []
    items = []
    for slot in range(max(len(before), len(after))):
        item = NameKeyItem(k.customer_pk(merchant_id, customer_id), f"{k.NAME_PREFIX}{slot}")
        item.customer_id = customer_id
        if slot < len(after):
            item.GSI1PK = k.name_key(merchant_id, after[slot][0])
            item.GSI1SK = f"{after[slot]}#{customer_id}"
        items.append(item)
    return items


def find_by_name(merchant_id: str, typed: str, limit: int, after: str | None) -> tuple[list[str], str | None]:
    """Customer ids whose name (or a later word of it) starts with `typed`, in name order; the
    cursor is the last sort key read. A customer found from two of their words is listed once
    per page (across pages, rarely, twice)."""
    prefix = normalize_name(typed)
    if not prefix:
        return [], None
    condition = NameKeyItem.GSI1SK.startswith(prefix)
    if after is not None:
        condition &= NameKeyItem.GSI1SK > after
    listed = NameKeyItem.name_index.query(
        k.name_key(merchant_id, prefix[0]), condition, limit=limit + 1, page_size=limit + 1
    )
    found: list[str] = []
    sort_keys: list[str] = []
    for item in listed:
        sort_keys.append(str(item.GSI1SK))
        # The index projects no customer_id; the key names it after the first `#` (a normalised
        # name holds none, a customer id may).
        found.append(str(item.GSI1SK).split("#", 1)[1])
    more = len(found) > limit
    page, keys_read = found[:limit], sort_keys[:limit]
    unique: list[str] = []
    for customer_id in page:
        if customer_id not in unique:
            unique.append(customer_id)
    return unique, keys_read[-1] if more and keys_read else None
