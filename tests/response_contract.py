"""Every answer of the API that a test receives through Django's test client, checked against the OpenAPI document
the API serves (issue 19): the status is one the operation declares, the media type one declared for that status,
a JSON body validates against its schema (OpenAPI 3.0 rules: ``nullable``, ``readOnly``; formats ``date``, ``uuid``,
``date-time``), a declared header has a valid value (and a required one is there), and ``Idempotent-Replayed`` or
``Retry-After`` appear only where the document declares them.

``tests/conftest.py`` turns it on for every test (``check_api_responses``), so a new endpoint is checked by the
tests that call it, without new code. Answers outside the document are left alone: a path not under ``/api/v1/``, the
schema and docs pages, ``OPTIONS`` and ``HEAD``. An ``/api/v1/`` path no operation matches must be a 404 problem,
a method the path does not declare a 405 problem.
"""

import json
import re
from functools import cache

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

API_PREFIX = "/api/v1/"
NOT_DOCUMENTED = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/")
CONTRACT_HEADERS = ("Idempotent-Replayed", "Retry-After")  # only where declared
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class ContractViolation(AssertionError):
    pass


@cache
def served_document() -> dict:
    """The full document of ``/api/v1/schema/`` (the project's URLconf, whatever a test overrides), as JSON."""
    schema = SchemaGenerator(urlconf="riskfund.urls").get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def _nullable_refs(node):
    """drf-spectacular writes a nullable object field as ``{"allOf": [{"$ref": …}], "nullable": true}``, which
    generators read as "the object or null"; OpenAPI 3.0.3's own reading ignores ``nullable`` beside ``allOf``
    without ``type``. Validate it as generators read it: ``anyOf`` of the object and null."""
    if isinstance(node, list):
        return [_nullable_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_refs(value) for key, value in node.items()}
    if node.get("nullable") and "allOf" in node and "type" not in node:
        rest = {key: value for key, value in node.items() if key not in ("allOf", "nullable")}
        return {**rest, "anyOf": [{"allOf": node["allOf"]}, {"type": "object", "nullable": True, "enum": [None]}]}
    return node


@cache
def _components() -> dict:
    return _nullable_refs(served_document()["components"])


@cache
def _operations() -> list[tuple[re.Pattern, str, dict]]:
    """(regex of the path, path template, path item), literal paths before templated ones."""
    out = []
    for template, item in served_document()["paths"].items():
        regex = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$")
        out.append((regex, template, _nullable_refs(item)))
    return sorted(out, key=lambda entry: entry[1].count("{"))


def _validate(schema: dict, value, where: str) -> None:
    root = {**schema, "components": _components()}
    errors = sorted(OAS30ReadValidator(root, format_checker=oas30_format_checker).iter_errors(value), key=str)
    if errors:
        shown = "; ".join(f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in errors[:5])
        raise ContractViolation(f"{where}: {len(errors)} error(s): {shown}")


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        response.streaming_content = [content]  # the test can still read it
        return content
    return response.content


def check_response(method: str, path: str, response) -> None:
    """Raise ``ContractViolation`` when ``response`` (to ``method path``) breaks the served document."""
    if not path.startswith(API_PREFIX) or path.startswith(NOT_DOCUMENTED) or method in ("OPTIONS", "HEAD"):
        return
    where = f"{method} {path} → {response.status_code}"
    match = next(((template, item) for regex, template, item in _operations() if regex.match(path)), None)
    if match is None or method.lower() not in match[1]:
        expected = 404 if match is None else 405
        if response.status_code != expected:
            raise ContractViolation(f"{where}: no such operation in the document (expected {expected})")
        _check_content(where, {"application/problem+json": {"schema": PROBLEM_REF}}, response)
        return
    template, item = match
    where = f"{method} {template} → {response.status_code}"
    responses = item[method.lower()]["responses"]
    declared = responses.get(str(response.status_code)) or responses.get("default")
    if declared is None:
        raise ContractViolation(f"{where}: status not declared (declared: {', '.join(sorted(responses))})")
    _check_content(where, declared.get("content") or {}, response)
    _check_headers(where, declared.get("headers") or {}, response)


def _check_content(where: str, content: dict, response) -> None:
    media_type = (response.get("Content-Type") or "").split(";")[0].strip()
    if not content:
        if _body(response):
            raise ContractViolation(f"{where}: a body ({media_type}) where the document declares none")
        return
    if media_type not in content:
        raise ContractViolation(f"{where}: media type {media_type!r} not declared ({', '.join(content)})")
    schema = content[media_type].get("schema")
    if schema is None or not (media_type == "application/json" or media_type.endswith("+json")):
        return  # a workbook: a binary string
    try:
        body = json.loads(_body(response))
    except ValueError as exc:
        raise ContractViolation(f"{where}: the body is not JSON ({exc})") from None
    _validate(schema, body, f"{where} body")


def _check_headers(where: str, headers: dict, response) -> None:
    for name, spec in headers.items():
        if response.has_header(name):
            value = response[name]
            schema = spec.get("schema", {})
            if schema.get("type") == "integer":
                if not re.fullmatch(r"-?[0-9]+", value):
                    raise ContractViolation(f"{where}: header {name}: {value!r} is not an integer")
                value = int(value)
            _validate(schema, value, f"{where} header {name}")
        elif spec.get("required"):
            raise ContractViolation(f"{where}: required header {name} missing")
    for name in CONTRACT_HEADERS:
        if response.has_header(name) and name not in headers:
            raise ContractViolation(f"{where}: header {name} sent but not declared for this status")
