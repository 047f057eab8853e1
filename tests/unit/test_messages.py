import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vafa.messaging.placeholders import PLACEHOLDERS, is_gsm7, render, sms_parts, validate_template
from vafa.messaging.templates import (
    BIRTHDAY_WITHOUT_GIFT,
    CHANNEL_PARTS,
    DEFAULTS,
    KINDS,
    OPT_OUT_LINE,
    PARTS,
    compose,
)

FA = {
    "name": "سارا",
    "shop": "کتاب‌سرا",
    "amount": "۱۰٬۰۰۰ تومان",
    "balance": "۲۵٬۰۰۰ تومان",
    "expires_on": "۴ آذر ۱۴۰۵",
    "days": "۳",
    "link": "https://ex.am/r/abc",
    "gift": "۵۰٬۰۰۰ تومان",
    "cart_total": "۳۲۰٬۰۰۰ تومان",
}
EN = {
    "name": "Sara",
    "shop": "Bookshop",
    "amount": "10,000 Toman",
    "balance": "25,000 Toman",
    "expires_on": "25 Nov 2026",
    "days": "3",
    "link": "https://ex.am/r/abc",
    "gift": "50,000 Toman",
    "cart_total": "320,000 Toman",
}


def all_default_texts() -> list[tuple[str, str, str, str]]:
    rows = [
        (kind, locale, part, text)
        for kind, by in DEFAULTS.items()
        for locale, parts in by.items()
        for part, text in parts.items()
    ]
    rows += [
        ("birthday/no-gift", locale, part, text)
        for locale, parts in BIRTHDAY_WITHOUT_GIFT.items()
        for part, text in parts.items()
    ]
    return rows


# --- render ---------------------------------------------------------------------------------------


def test_render_substitutes_known_placeholders() -> None:
    assert render("{name} عزیز، {amount}", FA) == "سارا عزیز، ۱۰٬۰۰۰ تومان"


@pytest.mark.parametrize(
    "template",
    [
        "{name.__class__}",
        "{name.__init__.__globals__}",
        "{name[0]}",
        "{0}",
        "{}",
        "{name!r}",
        "{name:>40}",
        "{name:{shop}}",
        "{unknown}",
        "{{name}",
    ],
)
def test_anything_but_a_bare_known_name_is_not_evaluated(template: str) -> None:
    out = render(template, {"name": "Sara", "shop": "x"})
    assert "<" not in out and "class" not in out.replace("__class__", "")
    # Only an exact `{name}` inside it may change; the rest stays as written.
    assert out == template.replace("{name}", "Sara").replace("{shop}", "x")


def test_unknown_placeholders_stay_visible() -> None:
    assert render("Hi {nmae}, {name}", {"name": "Sara"}) == "Hi {nmae}, Sara"


def test_a_known_placeholder_without_a_value_renders_empty() -> None:
    assert render("Go: {link}", {}) == "Go: "


def test_values_are_not_expanded_again() -> None:
    assert render("{name} {shop}", {"name": "{shop}", "shop": "X"}) == "{shop} X"


def test_values_are_inserted_verbatim() -> None:
    value = "a {0} b {name.__class__} %s \\n"
    assert render("[{name}]", {"name": value}) == f"[{value}]"


def test_validate_template_lists_unknown_placeholders_in_order_once() -> None:
    template = "{name} {foo} {0} {name.__class__} {foo} {name!r} {} {link} { spaced }"
    assert validate_template(template) == ["{foo}", "{0}", "{name.__class__}", "{name!r}", "{}"]
    assert validate_template("سلام {name}، {link}") == []


def test_order_id_is_a_placeholder_the_feedback_request_uses() -> None:
    assert "order_id" in PLACEHOLDERS


@pytest.mark.parametrize(("kind", "locale", "part", "text"), all_default_texts())
def test_every_default_is_valid_and_uses_only_known_placeholders(
    kind: str, locale: str, part: str, text: str
) -> None:
    assert validate_template(text) == []
    assert text.strip()


@pytest.mark.parametrize(("kind", "locale", "part", "text"), all_default_texts())
def test_persian_defaults_are_written_in_persian_letters_and_with_zwnj(
    kind: str, locale: str, part: str, text: str
) -> None:
    if locale != "fa":
        return
    assert not set(text) & set("يكى")  # Arabic yeh/kaf would break search and look foreign
    assert not re.search(r"(^|\s)(ن?می) ", text)  # «می شود» must be «می‌شود»
    assert re.search("[\u0600-\u06ff]", text)


@pytest.mark.parametrize(("kind", "locale", "part", "text"), all_default_texts())
def test_english_sms_defaults_fit_the_gsm_alphabet(kind: str, locale: str, part: str, text: str) -> None:
    # A curly quote would turn a 160-character SMS into a 70-character one.
    if locale == "en" and part == "sms":
        assert is_gsm7(text)


def test_every_kind_has_every_part_in_both_languages() -> None:
    assert set(DEFAULTS) == set(KINDS)
    for kind in KINDS:
        for locale in ("fa", "en"):
            assert set(DEFAULTS[kind][locale]) == set(PARTS)
    for locale in ("fa", "en"):
        assert set(BIRTHDAY_WITHOUT_GIFT[locale]) == set(PARTS)


@given(st.text(), st.dictionaries(st.sampled_from(sorted(PLACEHOLDERS)), st.text()))
def test_render_never_raises_and_leaves_text_without_braces_alone(
    template: str, values: dict[str, str]
) -> None:
    out = render(template, values)
    if "{" not in template:
        assert out == template


_fragment = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="{}\0"), max_size=8),
    st.sampled_from(
        ["{name}", "{shop}", "{link}", "{name.__class__}", "{0}", "{name!r}", "{name:>9}", "{x}", "{", "}"]
    ),
)


@given(st.lists(_fragment, max_size=12), st.text(alphabet=st.characters(blacklist_characters="{}")))
def test_render_is_plain_substitution_of_known_names(fragments: list[str], name: str) -> None:
    template = "".join(fragments)
    out = render(template, {"name": name, "shop": "S", "link": "L"})
    assert "<class" not in out
    expected = (
        template.replace("{name}", "\0").replace("{shop}", "S").replace("{link}", "L").replace("\0", name)
    )
    assert out == expected


# --- compose --------------------------------------------------------------------------------------


def test_persian_expiry_reminder_sms() -> None:
    message = compose("expiry_reminder", "sms", "fa", FA, promotional=True)
    assert message.subject is None
    assert message.body.startswith("سارا، ۱۰٬۰۰۰ تومان اعتبارتان در کتاب‌سرا تا ۴ آذر ۱۴۰۵ می‌سوزد.")
    lines = message.body.split("\n")
    assert lines[-2:] == ["https://ex.am/r/abc", "لغو ۱۱"]


def test_english_promotional_sms_ends_with_the_english_opt_out_line() -> None:
    body = compose("win_back", "sms", "en", EN, None, True).body
    assert body.endswith("\n" + OPT_OUT_LINE["en"])
    assert "Sara" in body and "Bookshop" in body


def test_transactional_sms_has_no_opt_out_line() -> None:
    body = compose("purchase_thanks", "sms", "fa", FA, None, False).body
    assert "لغو" not in body and "۲۵٬۰۰۰ تومان" in body


def test_opt_out_line_is_only_for_sms() -> None:
    for channel in ("email", "push"):
        message = compose("win_back", channel, "fa", FA, None, True)
        assert "لغو" not in message.body
        assert message.subject


def test_email_and_push_have_subject_and_title() -> None:
    email = compose("abandoned_cart", "email", "fa", FA)
    assert email.subject == "سبد خریدتان در کتاب‌سرا منتظر شماست"
    assert "۳۲۰٬۰۰۰ تومان" in email.body and email.body.startswith("سلام سارا عزیز،")
    push = compose("expiry_reminder", "push", "en", EN)
    assert push.title == push.subject == "Your credit expires soon"
    assert push.body == "10,000 Toman of your Bookshop credit expires on 25 Nov 2026. Use it now."


def test_merchant_overrides_replace_only_the_parts_they_name() -> None:
    overrides = {"email_subject": "{name}، هدیهٔ {shop} منتظر شماست"}
    email = compose("birthday", "email", "fa", FA, overrides)
    assert email.subject == "سارا، هدیهٔ کتاب‌سرا منتظر شماست"
    assert email.body == compose("birthday", "email", "fa", FA).body


def test_a_blank_override_falls_back_to_the_default() -> None:
    assert compose("win_back", "sms", "fa", FA, {"sms": "  "}) == compose("win_back", "sms", "fa", FA)


def test_an_override_that_already_ends_with_the_opt_out_line_does_not_get_a_second() -> None:
    for text in ("تخفیف ویژه {name}\nلغو ۱۱", "تخفیف ویژه {name} لغو11", "تخفیف ویژه {name}\nلغو١١\u200f"):
        body = compose("campaign", "sms", "fa", FA, {"sms": text}).body
        assert body.count("لغو") == 1, body


def test_a_custom_opt_out_line_replaces_the_default() -> None:
    body = compose(
        "campaign", "sms", "en", EN, {"sms": "Sale at {shop}"}, opt_out_line="Reply STOP to opt out"
    ).body
    assert body == "Sale at Bookshop\nReply STOP to opt out"


def test_a_missing_link_leaves_no_dangling_line() -> None:
    values = {**FA, "link": ""}
    sms = compose("expiry_reminder", "sms", "fa", values).body
    assert "\n\n" not in sms and sms.endswith("می‌سوزد.\nلغو ۱۱")
    email = compose("win_back", "email", "fa", values).body
    assert "\n\n\n" not in email and not email.endswith("\n")


def test_birthday_without_a_gift_does_not_announce_a_zero_gift() -> None:
    for gift in ("۰ تومان", "0 Toman", ""):
        body = compose("birthday", "sms", "fa", {**FA, "gift": gift}).body
        assert "تولدتان مبارک" in body and "هدیه" not in body and "۰" not in body
    with_gift = compose("birthday", "sms", "fa", FA).body
    assert "۵۰٬۰۰۰ تومان" in with_gift and "هدیه" in with_gift


def test_regional_locales_and_unknown_locales() -> None:
    assert compose("win_back", "sms", "fa-IR", FA) == compose("win_back", "sms", "fa", FA)
    assert compose("win_back", "sms", "de", EN) == compose("win_back", "sms", "en", EN)


def test_unknown_kind_or_channel_is_an_error() -> None:
    with pytest.raises(ValueError):
        compose("spam", "sms", "fa", FA)
    with pytest.raises(ValueError):
        compose("win_back", "fax", "fa", FA)


@given(
    st.sampled_from(KINDS),
    st.sampled_from(sorted(CHANNEL_PARTS)),
    st.sampled_from(["fa", "en"]),
    st.dictionaries(st.sampled_from(sorted(PLACEHOLDERS)), st.text(max_size=30)),
)
def test_compose_never_raises_and_promotional_sms_always_ends_with_opt_out(
    kind: str, channel: str, locale: str, values: dict[str, str]
) -> None:
    message = compose(kind, channel, locale, values, None, True)
    if channel == "sms":
        assert message.subject is None
        tail = "".join(message.body.split())
        assert tail.endswith("".join(OPT_OUT_LINE[locale].split())) or tail.endswith("لغو۱۱")
    else:
        assert message.subject is not None


# --- SMS parts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", 0),
        ("a", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),  # extension characters take two septets
        ("{" * 81, 2),
        ("€" * 80, 1),
        ("ب" * 70, 1),  # any Persian: UCS-2
        ("ب" * 71, 2),
        ("ب" * 134, 2),
        ("ب" * 135, 3),
        ("a" * 69 + "ب", 1),
        ("a" * 70 + "ب", 2),  # one Persian letter turns the whole message into UCS-2
        ("a" * 100 + "’", 2),  # so does a curly apostrophe
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 2),
        # An escape pair is never split across parts: 306 septets, yet three parts.
        ("a" * 152 + "{" + "a" * 152, 3),
        ("é" * 160, 1),  # in the GSM basic table
        ("ê" * 160, 3),  # not in it
    ],
)
def test_sms_parts(text: str, parts: int) -> None:
    assert sms_parts(text) == parts


def test_sms_parts_count_the_opt_out_line_and_the_link() -> None:
    text = "ب" * 64  # 64 + newline + «لغو ۱۱» (6) = 71 > 70
    assert sms_parts(compose("campaign", "sms", "fa", FA, {"sms": text}, promotional=False).body) == 1
    assert sms_parts(compose("campaign", "sms", "fa", FA, {"sms": text}, promotional=True).body) == 2
    with_link = compose("campaign", "sms", "fa", FA, {"sms": text + "\n{link}"}, promotional=False).body
    assert sms_parts(with_link) == 2


def test_default_persian_expiry_sms_with_a_short_link_fits_two_parts() -> None:
    assert sms_parts(compose("expiry_reminder", "sms", "fa", FA).body) == 2


@given(st.text(max_size=400))
def test_sms_parts_grow_with_the_text(text: str) -> None:
    parts = sms_parts(text)
    assert parts >= sms_parts(text[:-1]) if text else parts == 0
    assert (parts == 0) == (text == "")
