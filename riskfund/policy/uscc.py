"""The unified social credit code (统一社会信用代码, GB 32100-2015), the enterprise's identity (SPEC §8).

18 characters from ``0-9 A-H J-N P-R T-U W-Y`` (31 characters: no I, O, Z, S, V; uppercase only). The value
of a character is its position in that alphabet; the 18th is the check character
``(31 − Σ value_i × w_i mod 31) mod 31`` over the first 17, with ``w_i = 3^i mod 31``. Characters 3–6
are the registration authority's administrative division: ``1502`` for Baotou (art. 4, 5), kept in
``PolicyVersion.registration_prefix``.
"""

from django.core.exceptions import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def uscc_check_char(first17: str) -> str:
    """The check character of a code's first 17 characters (GB 32100-2015 §5)."""
    if len(first17) != LENGTH - 1:
        raise ValueError(f"the check character is computed over 17 characters, got {len(first17)}")
    try:
        total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"character {exc.args[0]!r} is not in the USCC alphabet") from None
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or None when it is."""
    if not isinstance(code, str):
        return "统一社会信用代码必须是字符串"
    if len(code) != LENGTH:
        return f"统一社会信用代码应为18位，实际为{len(code)}位"
    bad = [c for c in code if c not in VALUES]
    if bad:
        shown = "".join(dict.fromkeys(bad))
        return f"统一社会信用代码含有不允许的字符 {shown!r}（仅限 0-9 及大写字母，不含 I、O、Z、S、V）"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：应为 {expected}，实际为 {code[17]}"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None


def validate_uscc(code: str) -> None:
    """Django validator: raises ``ValidationError`` (code "invalid_uscc") with the reason."""
    problem = uscc_problem(code)
    if problem is not None:
        raise ValidationError(problem, code="invalid_uscc")


def registration_area(code: str) -> str:
    """Characters 3–6 of the code, the registration area: "1502" for Baotou (art. 4, 5)."""
    if not isinstance(code, str) or len(code) != LENGTH:
        raise ValueError("a unified social credit code has 18 characters")
    return code[2:6]
