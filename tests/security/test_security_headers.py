"""The Content-Security-Policy (issue 12, "Beyond the findings"): every page says where scripts may come from, and
no template of the project carries an inline script, so the policy needs no 'unsafe-inline' for scripts.
tests/browser/test_browser_csp.py loads the pages in Chromium and finds no violation."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [BASE_DIR / "templates", BASE_DIR / "riskfund", BASE_DIR / "banks"]
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"""<[a-z][^>]*\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
DATA_SCRIPT = re.compile(r"""type=["']application/(ld\+)?json["']""")


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/api/v1/docs/", "/api/v1/redoc/", "/api/v1/pool/"])
def test_every_page_sends_the_policy(path):
    policy = directives(Client().get(path))
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert not [source for source in policy["script-src"] if source.startswith(("http", "https:", "*"))]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_unsafe_eval_is_allowed_only_while_unfold_is_installed():
    policy = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert ("'unsafe-eval'" in policy["script-src"]) is ("unfold" in settings.INSTALLED_APPS)


@pytest.mark.django_db
def test_the_swagger_page_loads_its_start_script_from_this_site():
    client = Client()
    page = client.get("/api/v1/docs/").content.decode()
    tags = SCRIPT_TAG.findall(page)
    assert tags and all("src=" in attributes for attributes in tags)
    assert "cdn" not in page and "https://" not in page
    script = re.search(r'<script src="([^"]*script[^"]*)"', page).group(1).replace("&amp;", "&")
    response = client.get(script)
    assert response.status_code == 200 and "SwaggerUIBundle" in response.content.decode()


def project_templates() -> list[Path]:
    return sorted(path for directory in TEMPLATE_DIRS for path in directory.rglob("templates/**/*.html")) + sorted(
        (BASE_DIR / "templates").rglob("*.html")
    )


@pytest.mark.parametrize("template", project_templates(), ids=lambda path: str(path.relative_to(BASE_DIR)))
def test_no_template_has_an_inline_script_or_event_handler(template):
    text = template.read_text(encoding="utf-8")
    inline = [tag for tag in SCRIPT_TAG.findall(text) if "src=" not in tag and not DATA_SCRIPT.search(tag)]
    assert not inline, f"inline <script{inline[0]}>: move it to a static file"
    assert not EVENT_ATTRIBUTE.search(text), "an on…= attribute is an inline script: add a listener in a static file"
