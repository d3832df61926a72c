"""``python manage.py import_book FILE [--commit]`` (issue 17): a dry run prints the preview and writes nothing;
``--commit`` writes the book; a book with errors prints each (sheet!cell, code, message), writes the annotated
copy with ``--errors`` and exits with an error."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from imports_world import small_book, xlsx

from riskfund.imports.models import ImportRun
from riskfund.lending.models import Loan


def test_dry_run_then_commit(world, tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(xlsx(small_book()))
    out = StringIO()
    call_command("import_book", str(path), stdout=out)
    assert "status: valid" in out.getvalue() and "net_compensation: 0.00 → 707999.99" in out.getvalue()
    assert not Loan.objects.exists()
    out = StringIO()
    call_command("import_book", str(path), "--commit", stdout=out)
    assert "status: committed" in out.getvalue() and Loan.objects.count() == 3
    assert ImportRun.objects.filter(source="command").count() == 2


def test_errors_are_printed_and_the_command_fails(world, tmp_path):
    book = small_book()
    book["loan"][0]["annual_rate"] = "abc"
    path, errors = tmp_path / "book.xlsx", tmp_path / "errors.xlsx"
    path.write_bytes(xlsx(book))
    out = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_book", str(path), "--commit", "--errors", str(errors), "--language", "en", stdout=out)
    assert "贷款!G3\tvalidation_error\tInvalid data" in out.getvalue()
    assert errors.stat().st_size > 0 and not Loan.objects.exists()
