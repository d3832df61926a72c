"""The attack suite's parts: a plausible body for each POST operation of the served OpenAPI document (read by
tests/security/attack_schema.py), the one table of hostile values (issue 12) and what "nothing written" means.

Everything is read from the served schema (``/api/v1/schema/``), so an endpoint another engineer adds is attacked
without editing this module: its path parameters are filled with real objects where a list at the path's prefix
names one (``/api/v1/loans/{loan_id}/…`` takes the first loan ``GET /api/v1/loans/`` shows the caller), else with a
valid-looking id; its body starts from the operation's first example, else from the request schema.
"""

import copy
import itertools
import json
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.client import MULTIPART_CONTENT, encode_multipart

from tests.security.attack_schema import Operation, Resolver, field_paths, nested_object_paths

MIB = 1024 * 1024
SAMPLE_DATE = "2025-06-02"  # a Monday; the base body's dates, never today's
NOBODY = "00000000-0000-4000-8000-0000000a77ac"
CODE_RE = re.compile(r"[a-z][a-z0-9_]*")
# Written on a refused request by design: the stored 400 answer (API.md: replayed for the same key), throttle
# counters (database cache) and the failed-login log (django-axes). Everything else must keep its row count.
WRITTEN_ON_REFUSAL = re.compile(r"^(api_idempotencyrecord|riskfund_cache|axes_.*)$")


# --- a plausible body ----------------------------------------------------------------------------------------


def is_decimal(node: dict) -> bool:
    return node.get("format") == "decimal" or "[0-9]+" in node.get("pattern", "")


def is_strict_text(node: dict) -> bool:
    """A string the server matches exactly: a date, a decimal, an id, a URL, a choice or a pattern."""
    return node.get("type") == "string" and bool(
        node.get("format") in {"date", "date-time", "decimal", "uuid", "uri"} or "enum" in node or "pattern" in node
    )


def sample_value(node: dict, resolve: Resolver):
    node = resolve(node)
    if "enum" in node:
        return next(value for value in node["enum"] if value not in ("", None))
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {name: sample_value(child, resolve) for name, child in node.get("properties", {}).items()}
    if kind == "array":
        return [sample_value(node.get("items", {}), resolve)]
    if kind == "integer":
        return max(node.get("minimum", 12), 12) if "maximum" not in node else node.get("minimum", 1)
    if kind == "boolean":
        return False
    if kind == "number":
        return 12
    fmt = node.get("format")
    if fmt == "date":
        return SAMPLE_DATE
    if fmt == "uuid":
        return NOBODY
    if fmt == "uri":
        return "https://bank.example.cn/riskfund-hooks"
    if fmt == "binary":
        return b"not a workbook"
    if is_decimal(node):
        return "1000.00"
    return "TEST"


# --- the caller's view of the world --------------------------------------------------------------------------


@dataclass
class Caller:
    name: str
    client: Client
    objects: dict = field(default_factory=dict)  # list path → first result (or None)

    def first(self, list_path: str) -> dict | None:
        if list_path not in self.objects:
            response = self.client.get(list_path)
            result = None
            if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
                data = response.json()
                rows = data.get("results", []) if isinstance(data, dict) else data
                result = rows[0] if rows and isinstance(rows[0], dict) else None
            self.objects[list_path] = result
        return self.objects[list_path]


def path_value(caller: Caller, prefix: str, name: str, node: dict) -> str:
    row = caller.first(prefix)
    if row is not None:
        for key in (name, name.removesuffix("_id"), "id", "code"):
            if isinstance(row.get(key), str):
                return row[key]
    return NOBODY if node.get("format") == "uuid" else "NOPE"


def concrete_path(caller: Caller, operation: Operation) -> str:
    """The path with each ``{parameter}`` filled from the list at its prefix, left to right."""
    path = operation.path
    while match := re.search(r"\{(\w+)\}", path):
        name = match.group(1)
        value = path_value(caller, path[: match.start()], name, operation.path_parameters.get(name, {}))
        path = path[: match.start()] + value + path[match.end() :]
    return path


def real_ids(caller: Caller, body: dict, properties: dict, resolve: Resolver) -> dict:
    """Id fields named after a collection (``recommendation``) take that collection's first object seen by the
    caller, so the body gets past "not found" to its fields."""
    out = dict(body)
    for name, node in properties.items():
        if resolve(node).get("format") == "uuid" and name in out:
            row = caller.first(f"/api/v1/{name.replace('_', '-')}s/")
            if row is not None and isinstance(row.get("id"), str):
                out[name] = row["id"]
    return out


def base_body(caller: Caller, operation: Operation, resolve: Resolver) -> dict:
    if not operation.media_type:
        return {}
    properties = operation.body_schema.get("properties", {})
    body = dict(operation.examples[0]) if operation.examples else sample_value(operation.body_schema, resolve)
    return real_ids(caller, body, properties, resolve)


# --- hostile values ------------------------------------------------------------------------------------------


class Raw(str):
    """A JSON token written as is (``NaN``, ``1E+3``): no JSON encoder writes these."""


def dumps(body) -> bytes:
    """JSON with ``Raw`` tokens spliced in."""
    raws: list[str] = []

    def default(value):
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, bytes):  # a multipart body's file, sent as JSON: its bytes as text
            return value.decode("latin-1")
        raise TypeError(type(value))

    def mark(value):
        if isinstance(value, Raw):
            raws.append(str(value))
            return f"\u0000RAW{len(raws) - 1}\u0000"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(body), default=default, ensure_ascii=False)
    for index, token in enumerate(raws):
        text = text.replace(f'"\\u0000RAW{index}\\u0000"', token)
    return text.encode("utf-8")


@dataclass
class Request:
    label: str
    payload: bytes
    content_type: str


def encode(operation: Operation, body) -> Request:
    if operation.multipart and isinstance(body, dict):
        fields = {}
        for name, value in body.items():
            if isinstance(value, bytes):
                fields[name] = SimpleUploadedFile("balances.xlsx", value)
            elif not isinstance(value, dict | list):
                fields[name] = str(value) if not isinstance(value, str) else value
        boundary = "AttackBoundary"
        return Request("", encode_multipart(boundary, fields), f"multipart/form-data; boundary={boundary}")
    return Request("", dumps(body), "application/json")


def with_value(body, path: tuple, value):
    """A copy of ``body`` with ``value`` at ``path`` (containers on the way made when missing)."""
    body = copy.deepcopy(body)
    node = body
    for step, nxt in itertools.pairwise(path):
        if isinstance(step, int):
            while len(node) <= step:
                node.append({})
            node = node[step]
        else:
            if not isinstance(node.get(step), dict | list):
                node[step] = [] if isinstance(nxt, int) else {}
            node = node[step]
    last = path[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append({})
    node[last] = value
    return body


# A field-level entry is a function of the field's schema: the hostile value for that field, or None where the value
# would not be hostile there (a trailing newline in free text is trimmed and harmless).
FIELD_VALUES = {
    "integer 3,000,000,000": lambda node: 3_000_000_000,
    "integer 10**20": lambda node: 10**20,
    "integer of 5,000 digits": lambda node: Raw("9" * 5000),
    "trailing newline": lambda node: f"{sample_text(node)}\n" if is_strict_text(node) else None,
    "NaN literal": lambda node: Raw("NaN"),
    "Infinity literal": lambda node: Raw("-Infinity"),
    "NaN string": lambda node: "NaN" if is_decimal(node) else None,
    "exponent string": lambda node: "1e3" if is_decimal(node) else None,
    "exponent number": lambda node: Raw("1E+3"),
    "float": lambda node: Raw("1000.5"),
    "negative": lambda node: "-1000.00" if is_decimal(node) else (-1 if node.get("type") == "integer" else None),
    "fullwidth digits": lambda node: "１０００" if is_decimal(node) else None,
    "1 MB string": lambda node: "A" * 1_000_000,
    "NUL character": lambda node: "A\u0000B",
    "far future date": lambda node: "9999-12-31" if node.get("format") == "date" else None,
    "year 1": lambda node: "0001-01-01" if node.get("format") == "date" else None,
    "five-digit year": lambda node: "10000-01-01" if node.get("format") == "date" else None,
    "null": lambda node: None if node.get("nullable") else Raw("null"),
    "empty object": lambda node: {} if node.get("type") not in {"object", None} else None,
    "list": lambda node: [1] if node.get("type") != "array" else None,
}


def sample_text(node: dict) -> str:
    if node.get("format") == "date":
        return SAMPLE_DATE
    if node.get("format") == "uuid":
        return NOBODY
    if "enum" in node:
        return str(next(v for v in node["enum"] if v not in ("", None)))
    if is_decimal(node):
        return "1000.00"
    return "https://bank.example.cn/hooks" if node.get("format") == "uri" else "A1"


def _deep(levels: int) -> bytes:
    return ("[" * (levels - 1) + "1" + "]" * (levels - 1)).encode()


def body_requests(name: str, operation: Operation, base, resolve: Resolver) -> list[Request]:
    """The requests of a body-level entry (the whole body is hostile)."""
    if name == "100,000 brackets":
        return [Request("", b"[" * 100_000, "application/json")]
    if name == "33 levels of nesting":
        return [Request("", b'{"a": ' + _deep(33) + b"}", "application/json")]
    if name == "invalid UTF-8":
        return [Request("", b'{"a": "\xff\xfe\xfd"}', "application/json")]
    if name == "text/plain":
        return [Request("", dumps(base), "text/plain")]
    if name == "form-encoded":
        return [Request("", b"a=1&b=2", "application/x-www-form-urlencoded")]
    if name == "JSON to a multipart endpoint or multipart to a JSON one":
        if operation.multipart:
            return [Request("", dumps(base), "application/json")]
        return [Request("", encode_multipart("B", {"a": "1"}), MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", "B"))]
    if name == "body over 1 MiB":
        padded = dumps({**base, "padding": ""})
        return [Request("", dumps({**base, "padding": "x" * (MIB + 1 - len(padded))}), "application/json")]
    if name == "not an object":
        return [Request(text.decode(), text, "application/json") for text in (b"[]", b'"text"', b"null", b"42")]
    if name == "unknown keys":
        return [
            Request(
                ".".join(map(str, path)) or "top level", *_encoded(operation, with_value(base, (*path, "bribe"), "150"))
            )
            for path in nested_object_paths(operation, resolve)
        ]
    if name == "extra fields (names of the answer)":
        own = set(operation.body_schema.get("properties", {}))
        extra = sorted(operation.response_properties - own) or ["id"]
        return [Request(key, *_encoded(operation, {**base, key: "1"})) for key in extra]
    if name == "NUL in a key":
        return [Request("", *_encoded(operation, {**base, "a\u0000": "1"}))]
    raise KeyError(name)


def _encoded(operation: Operation, body) -> tuple[bytes, str]:
    request = encode(operation, body)
    return request.payload, request.content_type


BODY_ENTRIES = [
    "100,000 brackets",
    "33 levels of nesting",
    "invalid UTF-8",
    "text/plain",
    "form-encoded",
    "JSON to a multipart endpoint or multipart to a JSON one",
    "body over 1 MiB",
    "not an object",
    "unknown keys",
    "extra fields (names of the answer)",
    "NUL in a key",
]
HOSTILE = BODY_ENTRIES + list(FIELD_VALUES)


def applies(name: str, operation: Operation, resolve: Resolver) -> bool:
    """Whether the entry has a request for the operation (a field entry needs a field it is hostile to)."""
    if name in BODY_ENTRIES:
        return True
    return any(
        FIELD_VALUES[name](node) is not None and not (operation.multipart and node.get("format") == "binary")
        for _path, node in field_paths(operation.body_schema, resolve)
    )


def hostile_requests(name: str, operation: Operation, base, resolve: Resolver) -> list[Request]:
    if name in BODY_ENTRIES:
        return body_requests(name, operation, base, resolve)
    requests = []
    for path, node in field_paths(operation.body_schema, resolve):
        value = FIELD_VALUES[name](node)
        if value is None:
            continue
        if operation.multipart and (node.get("format") == "binary" or isinstance(value, dict | list)):
            continue
        body = with_value(base, path, value)
        payload, content_type = _encoded(operation, body)
        requests.append(Request(".".join(map(str, path)), payload, content_type))
    return requests


# --- nothing written -----------------------------------------------------------------------------------------


def counted_tables() -> list[str]:
    return sorted(t for t in connection.introspection.table_names() if not WRITTEN_ON_REFUSAL.match(t))


def snapshot(tables: list[str]) -> dict:
    """Row counts of every table (but the three written on refusal), the pool's figures and every balance."""
    from riskfund.pool.selectors import pool_position

    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{t}', COUNT(*) FROM {quote(t)}" for t in tables
    )  # table names from the introspection
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = dict(cursor.fetchall())
        cursor.execute("SELECT code, balance FROM ledger_account ORDER BY code")
        balances = {code: Decimal(balance).quantize(Decimal("0.01")) for code, balance in cursor.fetchall()}
    position = {k: v for k, v in pool_position().items() if k != "as_of"}
    return {"rows": counts, "balances": balances, "pool": position}


def changes(before: dict, after: dict) -> dict:
    out = {}
    for part in before:
        for key in before[part].keys() | after[part].keys():
            if before[part].get(key) != after[part].get(key):
                out[f"{part}:{key}"] = (before[part].get(key), after[part].get(key))
    return out


def new_key() -> str:
    return f"attack-{uuid.uuid4()}"
