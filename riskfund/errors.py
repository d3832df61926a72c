"""The one error type for a broken rule of SPEC.md.

Services raise ``RuleViolation(code, clause, message)``; the API turns it into problem+json (422), the
admin into a message. ``code`` is one of SPEC.md's stable codes, ``clause`` cites the article.
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
