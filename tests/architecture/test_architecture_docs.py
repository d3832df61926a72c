"""The project's own documentation stays true to the code: every function and test that docs/ names exists (so a
rename that forgets the docs fails here), every file it names exists, and the README points at nothing outside the
repository."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
# `riskfund/pool/services.py:pool_post` or `tests/x/test_y.py::test_z`; a bare `name` or `::name` right after one
# (separated by a comma or a semicolon only: `…/services.py:topup_request`, `topup_approve`) is in the same file
SPAN = re.compile(r"`([^`]+)`")
REFERENCE = re.compile(r"((?:riskfund|banks|tools|tests)/[\w/]+\.py)(?:::?(\w+))?")
FOLLOWER = re.compile(r"(?:::)?([a-z_][a-z0-9_]*_[a-z0-9_]*)")


def _names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.ClassDef)}


def _references() -> list[tuple[str, str, str | None]]:
    """(doc, file, function or None) for every reference in docs/."""
    found = []
    for doc in DOCS:
        for line in doc.read_text(encoding="utf-8").splitlines():
            current, last_end = None, 0
            for span in SPAN.finditer(line):
                between, text = line[last_end : span.start()], span.group(1)
                last_end = span.end()
                reference = REFERENCE.fullmatch(text)
                if reference:
                    current = reference.group(1)
                    found.append((doc.name, current, reference.group(2)))
                elif current and between.strip() in {",", ";"} and FOLLOWER.fullmatch(text):
                    found.append((doc.name, current, FOLLOWER.fullmatch(text).group(1)))
                else:
                    current = None
    return found


def test_docs_exist_and_are_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("architecture.md", "rules.md", "api.md", "operations.md"):
        assert (ROOT / "docs" / name).is_file()
        assert f"docs/{name}" in readme


def test_every_file_and_function_the_docs_name_exists():
    references = _references()
    assert len(references) > 100, "the rules table names the code and the test of each article"
    missing = []
    for doc, file, name in references:
        path = ROOT / file
        if not path.is_file():
            missing.append(f"{doc}: {file}")
        elif name is not None and name not in _names(path):
            missing.append(f"{doc}: {file}:{name}")
    assert missing == []


def test_the_readme_names_no_path_outside_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"\.\./|/work/|shared/", readme) == []
