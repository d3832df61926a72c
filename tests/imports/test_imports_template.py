"""The template (issue 17): a help sheet citing the articles, one sheet per kind in dependency order with the
Chinese headers, the field under each and an example row, drop-downs where a column has fixed values; the
template read back as it is imports nothing and reports nothing."""

from io import BytesIO

from imports_world import TODAY
from openpyxl import load_workbook

from riskfund.imports.reader import read_book
from riskfund.imports.resolve import Scope
from riskfund.imports.services import import_book
from riskfund.imports.sheets import BY_KIND, SHEETS
from riskfund.imports.template import template_bytes


def test_the_template_lays_out_every_kind_with_headers_fields_examples_and_drop_downs(world):
    workbook = load_workbook(BytesIO(template_bytes()))
    assert workbook.sheetnames == ["说明", *(s.title for s in SHEETS), "选项"]
    assert [s.title for s in SHEETS][:2] == ["出资", "合作协议"] and SHEETS[-1].title == "追偿"
    assert workbook["选项"].sheet_state == "hidden"
    loans = workbook["贷款"]
    assert [c.value for c in loans[1]][:3] == ["银行代码", "借款合同编号", "推荐表编号"]
    assert [c.value for c in loans[2]][:3] == ["bank", "contract_no", "form_no"]
    assert loans["H3"].value == "到期一次性还款"  # the example's repayment method, as its label
    validated = {str(dv.sqref).split(":")[0] for dv in loans.data_validations.dataValidation}
    assert validated == {
        f"{BY_KIND['loan'].letter('repayment_method')}3",
        f"{BY_KIND['loan'].letter('extended_term')}3",
    }
    enterprises = workbook["企业"]
    [district] = [dv for dv in enterprises.data_validations.dataValidation if str(dv.sqref).startswith("C3")]
    assert district.formula1.startswith("'选项'!$")
    help_text = [row[0].value or "" for row in workbook["说明"].iter_rows()] + [
        str(row[7].value or "") for row in workbook["说明"].iter_rows() if len(row) > 7
    ]
    assert "政策版本" in help_text and "第三十二条" in " ".join(help_text)


def test_the_untouched_template_imports_nothing(world):
    data = template_bytes()
    book = read_book(data)
    assert book.count == 0 and book.problems == []
    outcome = import_book(file=data, scope=Scope(), today=TODAY, commit=False)["outcome"]
    assert outcome.problems == [] and outcome.written == {}
