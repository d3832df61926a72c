"""English mode is English: the Chinese msgids of models, admin and services have English translations.

The admin speaks Chinese (zh-hans) by default; most strings are written as Chinese msgids, translated into
English by ``locale/en/LC_MESSAGES/django.po`` (and the en catalogs of the apps that have their own locale/).
"""

import ast
import gettext as gnu_gettext
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
SOURCE_DIRS = [BASE_DIR / "riskfund", BASE_DIR / "banks"]
GETTEXT_NAMES = {"_", "_t", "gettext", "gettext_lazy", "gettext_noop"}
TEMPLATE_TAG = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""")
PO_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


def is_ascii_english(text: str) -> bool:
    return bool(text) and not CJK.search(text)


def en_catalogs() -> list[Path]:
    """Every English .po of the project: LOCALE_PATHS and the apps' own locale/ dirs."""
    found = [Path(path) / "en" / "LC_MESSAGES" / "django.po" for path in settings.LOCALE_PATHS]
    for directory in SOURCE_DIRS:
        found += directory.glob("**/locale/en/LC_MESSAGES/django.po")
    return sorted({path for path in found if path.exists()})


def po_entries(path: Path) -> list[dict]:
    """A small .po reader (no polib): one dict per entry with its fields, unescaped, and its flags."""

    def unescape(text: str) -> str:
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)

    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set()}
        field = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif match := PO_LINE.match(line):
                field = match.group(1)
                entry[field] = match.group(2)
            elif line.startswith('"') and field:
                entry[field] += line[1:-1]
        if "msgid" in entry:
            entries.append({k: unescape(v) if isinstance(v, str) else v for k, v in entry.items()})
    return entries


def chinese_msgids_in_code() -> set[str]:
    """The Chinese string literals passed to gettext in riskfund/, banks/ and the templates."""
    msgids = set()
    for directory in SOURCE_DIRS:
        for path in directory.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in GETTEXT_NAMES
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and CJK.search(node.args[0].value)
                ):
                    msgids.add(node.args[0].value)
    for directory in [*SOURCE_DIRS, BASE_DIR / "templates"]:
        for path in directory.rglob("*.html"):
            for match in TEMPLATE_TAG.finditer(path.read_text(encoding="utf-8")):
                if CJK.search(match.group(2)):
                    msgids.add(match.group(2))
    return msgids


# --- models and services -----------------------------------------------------------------------------

SAMPLE_MODELS = [
    ("ledger", "Account", "Account"),
    ("pool", "PoolState", "Pool state"),
    ("lending", "Loan", "Guarantee-pool loan"),
    ("claims", "Compensation", "Compensation"),
    ("parties", "Funder", "Funder"),
    ("cob", "PoolSnapshot", "Pool close-of-business snapshot"),
]


@pytest.mark.parametrize(("app_label", "model_name", "english"), SAMPLE_MODELS)
def test_model_verbose_names_are_english_in_english_mode(app_label, model_name, english):
    model = apps.get_model(app_label, model_name)
    with translation.override("en"):
        assert str(model._meta.verbose_name) == english
        assert is_ascii_english(str(model._meta.verbose_name_plural))
        assert is_ascii_english(str(apps.get_app_config(app_label).verbose_name))
        for field in model._meta.get_fields():
            if hasattr(field, "verbose_name") and not field.auto_created:
                assert is_ascii_english(str(field.verbose_name)), (model_name, field.name, str(field.verbose_name))
    with translation.override("zh-hans"):
        assert CJK.search(str(model._meta.verbose_name))


def test_choices_are_english_in_english_mode():
    from riskfund.lending.models import LoanStatus
    from riskfund.parties.models import FunderTier

    with translation.override("en"):
        assert str(FunderTier("region").label) == "Region"
        assert [str(label) for label in LoanStatus.labels] == ["Active", "Repaid", "Compensated"]
    with translation.override("zh-hans"):
        assert str(FunderTier("region").label) == "自治区"


def test_rule_violation_message_follows_the_language():
    """A service's RuleViolation with a Chinese msgid (webhook URL policy) reads English in English mode."""
    from banks.webhooks import webhook_url_check
    from riskfund.errors import RuleViolation

    with translation.override("en"), pytest.raises(RuleViolation) as english:
        webhook_url_check("ftp://bank.example.com/hook")
    assert english.value.code == "webhook_url_not_allowed"
    assert english.value.message == "Webhook URL not allowed ftp://bank.example.com/hook: HTTPS is required"
    with translation.override("zh-hans"), pytest.raises(RuleViolation) as chinese:
        webhook_url_check("ftp://bank.example.com/hook")
    assert "必须使用 HTTPS" in chinese.value.message


# --- admin ------------------------------------------------------------------------------------------


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_admin_loan_changelist_speaks_english_on_request(admin_client):
    url = reverse("admin:lending_loan_changelist")

    english = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200
    assert english["Content-Language"] == "en"
    page = english.content.decode()
    assert "Guarantee-pool loan" in _title(page)
    assert "助保金贷款" not in page

    chinese = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese["Content-Language"] == "zh-hans"
    page = chinese.content.decode()
    assert "助保金贷款" in _title(page)
    assert "Guarantee-pool loan" not in page


def test_admin_language_switcher_sets_english_and_back(admin_client):
    url = reverse("admin:lending_loan_changelist")
    assert "助保金贷款" in _title(admin_client.get(url).content.decode())  # Chinese by default

    response = admin_client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert admin_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Guarantee-pool loan" in _title(admin_client.get(url).content.decode())

    admin_client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert "助保金贷款" in _title(admin_client.get(url).content.decode())


# --- the catalogs -----------------------------------------------------------------------------------


def test_the_project_english_catalog_exists_and_is_compiled():
    catalogs = en_catalogs()
    assert BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po" in catalogs
    for po in catalogs:
        assert po.with_suffix(".mo").exists(), f"{po} is not compiled: run manage.py compilemessages -l en"


@pytest.mark.parametrize("po", en_catalogs(), ids=lambda path: str(path.relative_to(BASE_DIR)))
def test_every_chinese_msgid_has_an_english_msgstr(po):
    entries = po_entries(po)
    header = next(entry for entry in entries if entry["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    chinese = [entry for entry in entries if CJK.search(entry["msgid"]) and not entry.get("obsolete")]
    problems = []
    for entry in chinese:
        msgstrs = [value for key, value in entry.items() if key.startswith("msgstr")]
        if "fuzzy" in entry["flags"] or not all(is_ascii_english(value) for value in msgstrs):
            problems.append(entry["msgid"])
    assert not problems, f"{po}: Chinese msgids without an English msgstr: {problems}"

    # the .mo is compiled from this .po: the compiled catalog gives the same English
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gnu_gettext.GNUTranslations(fh)
    stale = [entry["msgid"] for entry in chinese if compiled.gettext(entry["msgid"]) != entry.get("msgstr")]
    assert not stale, f"{po.with_suffix('.mo')} is out of date for: {stale}"


def test_every_chinese_msgid_in_the_code_is_translated():
    """Each Chinese literal given to gettext in the code comes out English (catches strings added later)."""
    msgids = chinese_msgids_in_code()
    assert len(msgids) > 400
    with translation.override("en"):
        untranslated = sorted(msgid for msgid in msgids if not is_ascii_english(translation.gettext(msgid)))
    assert not untranslated, f"run makemessages -l en and translate: {untranslated}"
