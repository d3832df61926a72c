"""Helpers shared by the API tests (import as ``tests.api.apihelpers``)."""

import uuid

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def new_key() -> str:
    return f"key-{uuid.uuid4()}"


def post(client, path: str, body=None, *, key: str | None = "auto", **extra):
    """POST JSON with a fresh Idempotency-Key (``key=None`` sends none)."""
    if key == "auto":
        key = new_key()
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, body if body is not None else {}, format="json", **extra)


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith("/" + code)
    assert body["title"] and body["detail"]
    return body
