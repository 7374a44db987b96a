"""The one masking function every service uses, and the pseudonym a forgotten person's kept records carry."""

from __future__ import annotations

import pytest

from services.kernel.privacy import (
    Forgetting,
    affected,
    is_pseudonym,
    mask_contact,
    mask_email,
    mask_phone,
    mask_phones_in,
    pseudonym,
)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13900000000", "139****0000"),
        ("139 0000 0000", "139****0000"),
        ("139-0000-0000", "139****0000"),
        ("+86 13912345678", "139****5678"),
        ("0551-60001234", "055****1234"),
        ("6000123", "****23"),
        ("", ""),
        ("无", "****"),
    ],
)
def test_a_phone_keeps_its_first_three_and_last_four_digits_around_four_stars(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_every_phone_number_in_free_text_is_masked_and_other_numbers_are_not() -> None:
    text = "请打13700001111或0551-6000 1234联系，订单号 202612061234567，日期20261206，3栋2单元"

    assert mask_phones_in(text) == "请打137****1111或055****1234联系，订单号 202612061234567，日期20261206，3栋2单元"


def test_an_email_keeps_its_first_letter_and_its_domain() -> None:
    assert mask_email("wang.fang@example.org") == "w***@example.org"
    assert mask_email("not-an-address") == "****"


def test_a_masked_contact_keeps_names_masks_phone_and_email_and_drops_device_and_account_ids() -> None:
    contact = {
        "first_name": "Ming",
        "last_name": "Li",
        "phone": "13900000000",
        "email": "ming@example.org",
        "device_id": "d-1",
        "account_id": "a-1",
    }

    assert mask_contact(contact) == {
        "first_name": "Ming",
        "last_name": "Li",
        "phone": "139****0000",
        "email": "m***@example.org",
    }
    assert mask_contact(None) is None


def test_a_pseudonym_is_stable_per_person_and_community_keyed_and_not_the_id() -> None:
    alias = pseudonym("meihu", "wang-fang")

    assert alias == pseudonym("meihu", "wang-fang")
    assert alias.startswith("forgotten-")
    assert "wang-fang" not in alias
    assert is_pseudonym(alias)
    assert pseudonym("meihu", alias) == alias
    assert pseudonym("baohe", "wang-fang") != alias
    assert pseudonym("meihu", "wang-fang", key="district-secret") != alias


def test_forgetting_counts_rows_per_kind_from_command_statuses() -> None:
    done = Forgetting()
    done.delete("follows", affected("DELETE 2"))
    done.anonymise("comments", affected("UPDATE 3"))
    done.anonymise("comments", affected("UPDATE 1"))

    assert done.deleted == {"follows": 2}
    assert done.anonymised == {"comments": 4}
    assert affected("INSERT 0 1") == 1
    assert affected("BEGIN") == 0
