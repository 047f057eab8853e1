import pytest
from vafa.phones import InvalidPhone, normalize_phone


@pytest.mark.parametrize(
    "typed",
    [
        "09121234567",
        "+989121234567",
        "00989121234567",
        "9121234567",
        "989121234567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "0912 123 4567",
        "0912-123-4567",
        "(0912) 123 4567",
        "\u200f۰۹۱۲\u200c۱۲۳۴۵۶۷",
        " +98 912 123 4567 ",
    ],
)
def test_iranian_mobile_in_every_form_a_shop_types_is_stored_in_e164(typed: str) -> None:
    assert normalize_phone(typed) == "+989121234567"


def test_new_990_range_is_accepted() -> None:
    assert normalize_phone("09901234567") == "+989901234567"


@pytest.mark.parametrize("typed", ["+4915112345678", "+14155552671", "0044 20 7946 0958"])
def test_international_numbers_in_e164_are_valid(typed: str) -> None:
    assert normalize_phone(typed).startswith("+")
    assert normalize_phone(typed) == normalize_phone(normalize_phone(typed))


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "0912123456",
        "091212345678",
        "02112345678x",
        "+98",
        "+1234",
        "۰۹۱۲۱۲۳۴۵۶",
        "12345",
        "+99999999999",
    ],
)
def test_anything_else_is_rejected(typed: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone(typed)


def test_leading_zero_of_persian_digits_is_not_lost() -> None:
    # int("۰۹۱۲...") would drop the zero; the number must still come out whole.
    assert normalize_phone("۰۹۳۵۱۲۳۴۵۶۷") == "+989351234567"
