import pytest
from vafa.messaging import links

KEY = b"k" * 32


def test_a_signed_link_round_trips_its_payload() -> None:
    token = links.sign("r", {"m": "m1", "c": "مشتری", "u": "https://shop.example/"}, KEY)
    assert links.verify("r", token, KEY)["c"] == "مشتری"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: "x" + t,
        lambda t: t.split(".")[0],
        lambda t: "",
    ],
)
def test_an_altered_link_is_refused(tamper) -> None:
    token = links.sign("r", {"m": "m1"}, KEY)
    with pytest.raises(links.BadToken):
        links.verify("r", tamper(token), KEY)


def test_a_link_signed_for_one_purpose_is_refused_for_another() -> None:
    token = links.sign("r", {"m": "m1"}, KEY)
    with pytest.raises(links.BadToken):
        links.verify("u", token, KEY)


def test_another_deployment_key_does_not_verify() -> None:
    token = links.sign("f", {"o": "1"}, KEY)
    with pytest.raises(links.BadToken):
        links.verify("f", token, b"z" * 32)
