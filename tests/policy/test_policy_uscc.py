"""The unified social credit code, GB 32100-2015 (SPEC §8; art. 4, 5 registration in Baotou)."""

import pytest
from django.core.exceptions import ValidationError

from riskfund.policy.uscc import (
    ALPHABET,
    WEIGHTS,
    is_valid_uscc,
    registration_area,
    uscc_check_char,
    validate_uscc,
)

# published codes of real enterprises (Shenzhen, Beijing) — they validate, so the algorithm is the national one
REAL_CODES = ["9144030071526726XG", "914403001922038216", "91110000802100433B"]
# Baotou-style codes whose check characters are worked by hand below
BAOTOU_CODES = ["91150203MA0N0JXJ0R", "91150207MA13T5QW02", "92150204MA0PQRXY1K", "91150271114395624C"]


def test_the_alphabet_and_the_weights():
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert [pow(3, i, 31) for i in range(17)] == list(WEIGHTS)


def test_check_character_worked_by_hand():
    # values: 0-9 are 0-9; A10 B11 … H17 J18 K19 L20 M21 N22 P23 Q24 R25 T26 U27 W28 X29 Y30
    # 9 1 1 5 0 2 0 3 M A 0 N 0 J X J 0 -> 9 1 1 5 0 2 0 3 21 10 0 22 0 18 29 18 0
    # × weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    # 9+3+9+135+0+52+0+51+420+290+0+286+0+432+290+540+0 = 2517; 2517 mod 31 = 6; 31 − 6 = 25 -> R
    values = [ALPHABET.index(c) for c in "91150203MA0N0JXJ0"]
    assert values == [9, 1, 1, 5, 0, 2, 0, 3, 21, 10, 0, 22, 0, 18, 29, 18, 0]
    total = sum(v * w for v, w in zip(values, WEIGHTS, strict=True))
    assert total == 2517
    assert (31 - total % 31) % 31 == 25
    assert ALPHABET[25] == "R"
    assert uscc_check_char("91150203MA0N0JXJ0") == "R"


def test_check_character_is_zero_when_the_sum_is_a_multiple_of_31():
    # 9 1 1 5 0 2 0 2 M A 0 0 5 0 0 0 0 × weights: 9+3+9+135+0+52+0+34+420+290+0+0+40+0+0+0+0 = 992 = 31 × 32
    # (31 − 0) mod 31 = 0: the outer "mod 31" matters here
    values = [ALPHABET.index(c) for c in "91150202MA0050000"]
    assert sum(v * w for v, w in zip(values, WEIGHTS, strict=True)) == 992
    assert uscc_check_char("91150202MA0050000") == "0"
    assert is_valid_uscc("91150202MA00500000")


@pytest.mark.parametrize("code", REAL_CODES + BAOTOU_CODES)
def test_valid_codes_pass(code):
    assert is_valid_uscc(code)
    validate_uscc(code)


def test_the_brief_example_has_a_wrong_check_character():
    # "91150203MA0N0JXJ0D" was given as a style example: its check character is R, not D
    assert not is_valid_uscc("91150203MA0N0JXJ0D")
    with pytest.raises(ValidationError, match="校验位错误：应为 R"):
        validate_uscc("91150203MA0N0JXJ0D")


@pytest.mark.parametrize("code", REAL_CODES + BAOTOU_CODES)
def test_every_other_check_character_fails(code):
    for other in ALPHABET:
        if other != code[-1]:
            assert not is_valid_uscc(code[:-1] + other)


def test_a_changed_body_character_fails():
    assert not is_valid_uscc("91150203MA0N0JXK0R")


@pytest.mark.parametrize("code", ["91150203ma0n0jxj0r", "9144030071526726xg"])
def test_lowercase_is_refused(code):
    assert is_valid_uscc(code.upper())
    assert not is_valid_uscc(code)
    with pytest.raises(ValidationError, match="不允许的字符"):
        validate_uscc(code)


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_letters_outside_the_alphabet_are_refused(letter):
    # even with the check character recomputed as if the letter were allowed, the code is refused
    code = "91150203MA0N0J" + letter + "J0R"
    assert not is_valid_uscc(code)
    with pytest.raises(ValidationError) as info:
        validate_uscc(code)
    assert info.value.code == "invalid_uscc"
    with pytest.raises(ValueError, match="not in the USCC alphabet"):
        uscc_check_char(code[:17])


@pytest.mark.parametrize("code", ["", "91150203MA0N0JXJ0", "91150203MA0N0JXJ0RR", " 91150203MA0N0JXJ0R"])
def test_wrong_length_is_refused(code):
    assert not is_valid_uscc(code)
    with pytest.raises(ValidationError, match="18位"):
        validate_uscc(code)


def test_registration_area_is_characters_three_to_six():
    assert registration_area("91150203MA0N0JXJ0R") == "1502"
    assert registration_area("9144030071526726XG") == "4403"
    with pytest.raises(ValueError):
        registration_area("1502")
