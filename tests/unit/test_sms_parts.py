"""Every default SMS, with its short link and the opt-out line, fits two parts (what gateways bill)."""

from __future__ import annotations

import pytest
from vafa.messaging.policy import MARKETING_KINDS
from vafa.messaging.sms_parts import sms_parts
from vafa.messaging.templates import DEFAULTS, compose

# A short link domain of 20 characters, as LinkBaseUrl gives (https://vfa.shop-name.ir/r/<10>).
LINK = "https://vfa.shopname-co.ir/r/AbCdEfGh12"
VALUES = {
    "fa": {
        "name": "سارا رضایی",
        "shop": "فروشگاه کتاب نمونه",
        "amount": "۱۲۵٬۰۰۰ تومان",
        "expires_on": "۲۸ اسفند ۱۴۰۵",
        "gift": "۵۰٬۰۰۰ تومان",
        "cart_total": "۱٬۴۵۰٬۰۰۰ تومان",
        "balance": "۱۲۵٬۰۰۰ تومان",
    },
    "en": {
        "name": "Sara Rezaei",
        "shop": "Sample Book Shop",
        "amount": "125,000 Toman",
        "expires_on": "19 March 2027",
        "gift": "50,000 Toman",
        "cart_total": "1,450,000 Toman",
        "balance": "125,000 Toman",
    },
}


def test_parts_are_counted_as_gateways_bill_them() -> None:
    assert sms_parts("") == 0
    assert sms_parts("a" * 160) == 1 and sms_parts("a" * 161) == 2 and sms_parts("a" * 306) == 2
    assert sms_parts("{" * 80) == 1 and sms_parts("{" * 81) == 2  # extension characters take two places
    assert sms_parts("س" * 70) == 1 and sms_parts("س" * 71) == 2 and sms_parts("س" * 134) == 2
    assert sms_parts("a" * 69 + "س") == 1 and sms_parts("a" * 135) == 1  # one Persian letter: UCS-2


@pytest.mark.parametrize("locale", ["fa", "en"])
@pytest.mark.parametrize("kind", sorted(DEFAULTS))
def test_every_default_sms_fits_two_parts(kind: str, locale: str) -> None:
    message = compose(kind, "sms", locale, {**VALUES[locale], "link": LINK}, None, kind in MARKETING_KINDS)
    print(f"{kind:18} {locale}: {len(message.body):3} characters, {sms_parts(message.body)} parts")
    assert sms_parts(message.body) <= 2, message.body
