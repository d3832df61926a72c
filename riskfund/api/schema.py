"""OpenAPI generation (drf-spectacular), so that a client generated from the document can trust it (issue 19):

- the ``Idempotency-Key`` header on every idempotent POST, and ``Idempotent-Replayed`` only on the answers that are
  stored and so can be replayed (not 401, 403, 409, 429, nor the 413 and 415 of reading the body, before the key);
- the problem+json error answers of every operation: 400 where input is validated (a body, a query parameter),
  401/403 where credentials are needed, 404 where an object is named, 413 and 415 where a body can be sent (over
  1 MiB, API.md; a media type the operation does not parse),
  429 with ``Retry-After`` where a rate limit applies (the login's per address; a bank key's on every operation a
  bank may call), 409/422 for the idempotency answers;
- per operation exactly the security schemes of the clients its permission lets in (``security_schemes`` of the
  permission classes: ``Token`` for staff, ``Api-Key`` for banks), which also selects the bank document;
- workbooks under their own media type and ``application/octet-stream`` (a binary string), the one generators
  return as a file;
- decimal strings: in requests at most ``places`` decimals, in answers exactly ``places`` (``"1000.00"``), signed
  only where the field is;
- ``NamedChoiceField`` enums as components of their own.
"""

import inspect

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import AllowAny
from rest_framework.throttling import ScopedRateThrottle

from riskfund.exports.download import XLSX_CONTENT_TYPE

from .idempotency import KEY_HEADER, REPLAYED_HEADER, IdempotentMixin, is_storable
from .renderers import PROBLEM_CONTENT_TYPE, ProblemJSONRenderer
from .serializers import ProblemSerializer

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BINARY_CONTENT_TYPE = "application/octet-stream"
RETRY_AFTER = "Retry-After"


def admitted_schemes(view) -> frozenset[str] | None:
    """The security schemes of the clients ``view``'s permissions let in (for its ``request.method``): the
    intersection of the permission classes' ``security_schemes``; None when none of them names any (``IsAuthenticated``:
    whoever the authenticators know)."""
    admitted = None
    for permission in view.get_permissions():
        schemes = getattr(permission, "security_schemes", None)
        if schemes is not None:
            admitted = frozenset(schemes) if admitted is None else admitted & schemes
    return admitted


class AutoSchema(openapi.AutoSchema):
    def get_description(self):
        description = super().get_description()
        # a view without its own docstring must not show the mixin's
        return "" if description == inspect.cleandoc(IdempotentMixin.__doc__ or "") else description

    def map_renderers(self, attribute):
        # problem+json is only the error format: documented on the error answers, not as a success format
        problem = {getattr(ProblemJSONRenderer, attribute)}
        return [r for r in super().map_renderers(attribute) if r not in problem]

    def _is_idempotent(self) -> bool:
        return (
            self.method == "POST"
            and isinstance(self.view, IdempotentMixin)
            and not getattr(self.view, "idempotency_exempt", False)
        )

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self._is_idempotent():
            params.append(
                OpenApiParameter(
                    KEY_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    required=True,
                    pattern=r"^[\x20-\x7e]{1,255}$",
                    description=(
                        "1–255 printable ASCII characters, unique per client and operation. The same key with "
                        "the same request replays the stored answer (header Idempotent-Replayed: true); with "
                        "another request → 422 idempotency_key_reused; while the first still runs → 409."
                    ),
                )
            )
        return params

    def get_auth(self):
        admitted = admitted_schemes(self.view)
        requirements = super().get_auth()
        if admitted is None:
            return requirements
        return [requirement for requirement in requirements if set(requirement) & admitted]

    def _admits(self, scheme: str) -> bool:
        admitted = admitted_schemes(self.view)
        return admitted is None or scheme in admitted

    def _is_throttled(self) -> bool:
        """A throttle that can answer 429 to a client this operation lets in: a scoped one with a rate for the
        view's scope (the login), or one that counts only some clients (``counts_scheme``: a bank key's)."""
        rates = ScopedRateThrottle().THROTTLE_RATES
        for throttle in self.view.get_throttles():
            counted = getattr(throttle, "counts_scheme", None)
            if counted is not None:
                if self._admits(counted):
                    return True
            elif isinstance(throttle, ScopedRateThrottle):
                if getattr(self.view, "throttle_scope", None) in rates:
                    return True
            else:
                return True
        return False

    def _get_parameters(self):
        parameters = super()._get_parameters()
        # a query parameter is validated by the view (an input serializer, a filter): a bad value answers 400
        self._has_query_parameters = any(parameter["in"] == "query" for parameter in parameters)
        return parameters

    def _problem_statuses(self) -> list[str]:
        is_list = self.method == "GET" and self._is_list_view()
        validated = self.method in WRITE_METHODS or is_list or getattr(self, "_has_query_parameters", False)
        statuses = {"400"} if validated else set()
        if self.method in WRITE_METHODS:
            statuses.add("413")  # a body above 1 MiB (riskfund/api/parsers.py), before the Idempotency-Key is read
            statuses.add("415")  # a body in a media type the operation does not parse
        if self.method in WRITE_METHODS - {"POST"}:
            statuses.add("422")
        if self._is_idempotent():
            statuses.update({"400", "409", "422"})
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            statuses.update({"401", "403"})
        if "{" in self.path or is_list:
            statuses.add("404")
        if self._is_throttled():
            statuses.add("429")
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        self._automatic = False
        responses = super()._get_response_bodies(direction)
        for status, answer in responses.items():
            content = answer.get("content")
            if status >= "400" and content and PROBLEM_CONTENT_TYPE not in content:
                # errors are always problem+json, also where a view declared them explicitly
                answer["content"] = {PROBLEM_CONTENT_TYPE: next(iter(content.values()))}
            if status < "300" and content and XLSX_CONTENT_TYPE in content:
                # generators drop a media type they do not know (openapi-python-client: "Unsupported
                # content_type"); under application/octet-stream they return the bytes as a file
                content.setdefault(BINARY_CONTENT_TYPE, {"schema": {"type": "string", "format": "binary"}})
        self._automatic = True
        for status in self._problem_statuses():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    ProblemSerializer, status, media_types=[PROBLEM_CONTENT_TYPE], direction=direction
                )
        self._automatic = False
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        status = int(status_code) if str(status_code).isdigit() else 0
        # the body limit and the media type are checked while the body is read, before the key: never stored
        replayable = is_storable(status) and not (status in (413, 415) and getattr(self, "_automatic", False))
        if self._is_idempotent() and replayable:
            headers[REPLAYED_HEADER] = {
                "schema": {"type": "string", "enum": ["true"]},
                "description": "present when this is the stored answer of an earlier request with the same key",
            }
        if status == 429:
            headers[RETRY_AFTER] = {
                "schema": {"type": "integer", "minimum": 1},
                "required": True,
                "description": "seconds to wait before the next request",
            }
        return headers


def problem_answer(description: str) -> OpenApiResponse:
    """An error answer a view declares beyond the automatic ones (``responses={404: problem_answer("…")}``),
    e.g. a 404 for an object named in the body; documented as problem+json like every error."""
    return OpenApiResponse(ProblemSerializer, description=description)


class KnoxTokenScheme(OpenApiAuthenticationExtension):
    target_class = "knox.auth.TokenAuthentication"
    name = "Token"
    priority = 1  # over drf-spectacular's own knox extension ("knoxApiToken")

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 — a scheme name
        scheme["description"] = "Staff token from POST /api/v1/auth/token/: `Authorization: Token <token>`"
        return scheme


class DecimalStringFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "riskfund.api.fields.DecimalStringField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        pattern = field.pattern
        if direction == "response":  # an answer always carries exactly ``places`` decimals (API.md Conventions)
            sign = "-?" if field.signed else ""
            pattern = rf"^{sign}[0-9]+\.[0-9]{{{field.decimal_places}}}$"
        return {"type": "string", "format": "decimal", "pattern": pattern, "example": field.example}


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    """A ``NamedChoiceField`` is a ``$ref`` to its own enum component (never renamed by the enum post-processing)."""

    target_class = "riskfund.api.fields.NamedChoiceField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"type": "string", "enum": [str(value) for value in field.choices]},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
