"""OpenAPI generation (drf-spectacular): the ``Idempotency-Key`` header on every idempotent POST, the
problem+json error answers of every operation, the staff ``Token`` security scheme and the decimal-string
fields. The bank ``Api-Key`` scheme is declared in ``SPECTACULAR_SETTINGS["APPEND_COMPONENTS"]`` until the
bank authenticator registers its own extension (name it ``Api-Key``)."""

import inspect

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import AllowAny

from .idempotency import KEY_HEADER, REPLAYED_HEADER, IdempotentMixin
from .renderers import PROBLEM_CONTENT_TYPE, ProblemJSONRenderer
from .serializers import ProblemSerializer

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


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
            params.append(
                OpenApiParameter(
                    REPLAYED_HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    response=True,
                    enum=["true"],
                    description="present when this is the stored answer of an earlier request with the same key",
                )
            )
        return params

    def _get_parameters(self):
        parameters = super()._get_parameters()
        # a query parameter is validated by the view (an input serializer, a filter): a bad value answers 400
        self._has_query_parameters = any(parameter["in"] == "query" for parameter in parameters)
        return parameters

    def _problem_statuses(self) -> list[str]:
        is_list = self.method == "GET" and self._is_list_view()
        validated = self.method in WRITE_METHODS or is_list or getattr(self, "_has_query_parameters", False)
        statuses = {"400"} if validated else set()
        if self.method in WRITE_METHODS - {"POST"}:
            statuses.add("422")
        if self._is_idempotent():
            statuses.update({"400", "409", "422"})
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            statuses.update({"401", "403"})
        if "{" in self.path or is_list:
            statuses.add("404")
        if getattr(self.view, "throttle_scope", None):
            statuses.add("429")
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, answer in responses.items():
            content = answer.get("content")
            if status >= "400" and content and PROBLEM_CONTENT_TYPE not in content:
                # errors are always problem+json, also where a view declared them explicitly
                answer["content"] = {PROBLEM_CONTENT_TYPE: next(iter(content.values()))}
        for status in self._problem_statuses():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    ProblemSerializer, status, media_types=[PROBLEM_CONTENT_TYPE], direction=direction
                )
        return responses


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
        return {"type": "string", "format": "decimal", "pattern": field.pattern, "example": field.example}


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
