"""Makes the request the audit context of every write made while it is handled (riskfund/audit/context.py)."""

from .context import audit_request


class AuditContextMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        # resolve the session user now (Django's lazy ``request.user``): SQLite's trigger asks for the actor in the
        # middle of a statement, where loading the user with another query must not happen
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018
        with audit_request(request):
            return self.get_response(request)
