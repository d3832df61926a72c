"""The forecast workbook (export kind ``outlook_forecast``): the project's exact writer, no float in a cell, the
figures of the stored forecast to the fen, a district officer's job with its own district's row only."""

import zipfile
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from riskfund.errors import RuleViolation
from riskfund.exports.registry import export_kind
from riskfund.exports.xlsx import write_workbook
from riskfund.outlook.exports import EXPORT_KIND, forecast_sheets
from riskfund.outlook.models import BASE, Scenario
from riskfund.outlook.services import forecast_compute
from riskfund.parties.models import StaffProfile


@pytest.fixture
def forecast(world):
    return forecast_compute(scenario=Scenario.objects.get(name=BASE))


def workbook(forecast, user=None) -> tuple[dict, bytes]:
    buffer = BytesIO()
    write_workbook(forecast_sheets(forecast, user), buffer)
    data = buffer.getvalue()
    book = load_workbook(BytesIO(data))
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}, data


def test_sheets_and_the_months_to_the_fen(forecast):
    sheets, data = workbook(forecast)
    assert list(sheets) == ["概要", "逐月预测", "出资方", "迁徙矩阵", "追偿回收曲线"]
    header, first = sheets["逐月预测"][0], sheets["逐月预测"][1]
    row = dict(zip(header, first, strict=True))
    assert row["预测月"] == 1
    assert row["代偿净额 P50（元）"] == 480000
    assert row["剩余授信额度 P50（元）"] == 238000000
    xml = zipfile.ZipFile(BytesIO(data)).read("xl/worksheets/sheet2.xml").decode()
    assert "<v>480000.00</v>" in xml and "<v>238000000.00</v>" in xml and "<v>0.019672</v>" in xml


def test_funders_sheet_and_matrix_sheet(forecast):
    sheets, _data = workbook(forecast)
    funders = [dict(zip(sheets["出资方"][0], r, strict=True)) for r in sheets["出资方"][1:]]
    dongge = next(r for r in funders if r["出资方代码"] == "150202")
    assert Decimal(repr(dongge["期末应补充资金 P50（元）"])) == Decimal("384000")
    matrix = sheets["迁徙矩阵"]
    assert len(matrix) == 1 + 7  # one bank
    assert matrix[5][1] == "逾期26–60天" and matrix[5][-1] == 1  # 26–60 → compensated


def test_a_district_officers_workbook_has_its_own_row(forecast):
    officer = get_user_model().objects.create_user("d1", password="x", is_staff=True)
    officer.groups.add(Group.objects.get_or_create(name="district")[0])
    StaffProfile.objects.create(user=officer, district_id="150203")
    sheets, _data = workbook(forecast, officer)
    assert [r[0] for r in sheets["出资方"][1:]] == ["150203"]


def test_the_kind_checks_its_parameters(forecast):
    spec = export_kind(EXPORT_KIND)
    assert spec.clean_params({"forecast": str(forecast.pk)}) == {"forecast": str(forecast.pk)}
    for bad in ({}, {"forecast": 1}, {"forecast": "00000000-0000-4000-8000-00000000dead"}, {"forecast": "x", "y": 1}):
        with pytest.raises(RuleViolation):
            spec.clean_params(bad)
