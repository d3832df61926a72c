"""OpenAPI for the bank endpoints: the shared ``AutoSchema`` (Idempotency-Key, problem+json answers, per operation
the security schemes its permission lets in: ``IsBank`` names ``Api-Key`` only, since staff tokens get 403)."""

from types import SimpleNamespace

from drf_spectacular.settings import SPECTACULAR_DEFAULTS
from drf_spectacular.views import SpectacularAPIView

from riskfund.api.roles import BANK_SCHEME
from riskfund.api.schema import AutoSchema, admitted_schemes


class BankAutoSchema(AutoSchema):
    def get_tags(self):
        return ["banks"]


def bank_operations(endpoints, **kwargs):
    """drf-spectacular preprocessing hook of the bank document: only the operations a bank key may call (those whose
    permissions let ``Api-Key`` in, or name no scheme), so a bank's generated client holds nothing it would get 403
    for; components only these operations use follow."""
    kept = []
    for path, path_regex, method, callback in endpoints:
        view = callback.cls(**getattr(callback, "initkwargs", None) or {})
        view.request = SimpleNamespace(method=method)  # per-method permissions read it
        admitted = admitted_schemes(view)
        if admitted is None or BANK_SCHEME in admitted:
            kept.append((path, path_regex, method, callback))
    return kept


def bank_security_only(result, **kwargs):
    """drf-spectacular postprocessing hook of the bank document: a bank calls with its key, so each operation lists
    the ``Api-Key`` requirement only (``me`` also takes a staff token), and the ``Token`` scheme is left out."""
    for operations in result["paths"].values():
        for operation in operations.values():
            if "security" in operation:
                operation["security"] = [req for req in operation["security"] if BANK_SCHEME in req]
    used = {
        name
        for operations in result["paths"].values()
        for op in operations.values()
        for req in op.get("security", [])
        for name in req
    }
    schemes = result.get("components", {}).get("securitySchemes", {})
    for name in set(schemes) - used:
        del schemes[name]
    return result


class BankSchemaView(SpectacularAPIView):
    """``GET /api/v1/schema/bank/``: the OpenAPI document of what a partner bank may call (issue 19 item 4), to
    generate a bank's client from; the full document stays at ``/api/v1/schema/``."""

    custom_settings = {
        "TITLE": "riskfund API for partner banks",
        "DESCRIPTION": (
            "包头市中小微企业助保金贷款资金池 — the operations a partner bank may call with its `Api-Key` (API.md, "
            "version 1). The full document, with the staff operations, is /api/v1/schema/."
        ),
        "PREPROCESSING_HOOKS": [*SPECTACULAR_DEFAULTS["PREPROCESSING_HOOKS"], "banks.api.schema.bank_operations"],
        "POSTPROCESSING_HOOKS": [
            *SPECTACULAR_DEFAULTS["POSTPROCESSING_HOOKS"],
            "banks.api.schema.bank_security_only",
        ],
    }
