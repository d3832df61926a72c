"""The attack suite's reading of the served OpenAPI document (``/api/v1/schema/``): its POST operations, their
request bodies' fields and the stable problem codes — what tests/security/attack.py attacks."""

import json
from dataclasses import dataclass

from django.test import Client

SCHEMA_PATH = "/api/v1/schema/?format=json"


def served_schema() -> dict:
    return json.loads(Client().get(SCHEMA_PATH).content)


# --- operations ----------------------------------------------------------------------------------------------


@dataclass
class Operation:
    path: str
    operation_id: str
    media_type: str  # "" when the operation takes no body
    body_schema: dict
    examples: list[dict]
    response_properties: set[str]
    path_parameters: dict[str, dict]

    @property
    def multipart(self) -> bool:
        return self.media_type == "multipart/form-data"


class Resolver:
    """``$ref`` and ``allOf`` of the schema's components, resolved."""

    def __init__(self, schema: dict) -> None:
        self.components = schema.get("components", {}).get("schemas", {})

    def __call__(self, node: dict) -> dict:
        while "$ref" in node:
            node = {**self.components[node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
        if "allOf" in node:
            merged = {k: v for k, v in node.items() if k != "allOf"}
            for part in node["allOf"]:
                part = self(part)
                merged.setdefault("properties", {}).update(part.get("properties", {}))
                merged.update({k: v for k, v in part.items() if k != "properties"})
            node = merged
        return node


def post_operations(schema: dict) -> list[Operation]:
    resolve = Resolver(schema)
    operations = []
    for path, item in sorted(schema["paths"].items()):
        post = item.get("post")
        if post is None:
            continue
        content = post.get("requestBody", {}).get("content", {})
        media_type = next(iter(content), "")
        body = content.get(media_type, {})
        examples = [example["value"] for example in body.get("examples", {}).values() if "value" in example]
        response_properties = set()
        for answer in post.get("responses", {}).values():
            for media in answer.get("content", {}).values():
                response_properties |= set(resolve(media.get("schema", {})).get("properties", {}))
        parameters = {p["name"]: p.get("schema", {}) for p in post.get("parameters", []) if p["in"] == "path"}
        operations.append(
            Operation(
                path=path,
                operation_id=post["operationId"],
                media_type=media_type,
                body_schema=resolve(body.get("schema", {})),
                examples=examples,
                response_properties=response_properties,
                path_parameters=parameters,
            )
        )
    return operations


def field_paths(node: dict, resolve: Resolver, prefix: tuple = ()) -> list[tuple[tuple, dict]]:
    """Every property of a request body, nested objects and the first item of lists of objects included."""
    out = []
    for name, child in resolve(node).get("properties", {}).items():
        child = resolve(child)
        out.append(((*prefix, name), child))
        if child.get("type") == "object" or "properties" in child:
            out.extend(field_paths(child, resolve, (*prefix, name)))
        elif child.get("type") == "array":
            item = resolve(child.get("items", {}))
            if "properties" in item:
                out.extend(field_paths(item, resolve, (*prefix, name, 0)))
    return out


def nested_object_paths(operation: Operation, resolve: Resolver) -> list[tuple]:
    paths = [()]
    for path, node in field_paths(operation.body_schema, resolve):
        if "properties" in node:
            paths.append(path)
    return paths


def problem_code_enum(schema: dict, resolve: Resolver) -> list[str]:
    """``Problem.code``'s enum when the schema declares one (the stable codes), else nothing to check against."""
    problem = resolve(schema.get("components", {}).get("schemas", {}).get("Problem", {}))
    return resolve(problem.get("properties", {}).get("code", {})).get("enum", [])
