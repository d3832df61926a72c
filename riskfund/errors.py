"""The one error type for a broken rule of SPEC.md, and its 400 form for malformed input.

Services raise ``RuleViolation(code, clause, message)``; the API turns it into problem+json (422), the
admin into a message. ``code`` is one of SPEC.md's stable codes, ``clause`` cites the article.

Malformed input a service finds itself (a bad amount, a schedule that does not add up, dates out of order) is an
``InputError``: a ``RuleViolation`` with code ``validation_error``, status 400 and ``errors`` = {field: [messages]}
— the same shape as a serializer's field errors, so every path answers a 400 alike (API.md Conventions).
"""


class RuleViolation(Exception):
    def __init__(self, code: str, clause: str = "", message: str = "", *, status: int = 422) -> None:
        super().__init__(message or code)
        self.code = code
        self.clause = clause
        self.message = message or code
        self.status = status

    def __repr__(self) -> str:
        return f"RuleViolation({self.code!r}, {self.clause!r}, {self.message!r})"


class InputError(RuleViolation):
    """400 ``validation_error`` with field messages."""

    def __init__(self, errors: dict[str, list[str]], clause: str = "") -> None:
        message = "; ".join(f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in errors.items())
        super().__init__("validation_error", clause, message, status=400)
        self.errors = errors


def invalid(field: str, message: str, clause: str = "") -> InputError:
    """An ``InputError`` on one field."""
    return InputError({field: [message]}, clause)
