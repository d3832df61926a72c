"""The book template (台账导入模板): a help sheet, then one sheet per kind of record in dependency order.

Each record sheet has the Chinese headers in row 1, the field name under each in row 2, and an example row in
row 3 (left as it is it is ignored; overwrite or delete it). A column with fixed values has a drop-down (data
validation over a hidden sheet of the values, so lists of any length work). The help sheet 说明 explains the
order, the natural keys, dates and amounts, and every column with the article it rests on. The template is
small: it is written with openpyxl's ordinary workbook (the example amounts print exactly).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from riskfund.exports.xlsx import DATE_FORMAT, MONEY_FORMAT

from .book import BookSheet, Field
from .sheets import SHEETS

HELP_TITLE = "说明"
CHOICES_TITLE = "选项"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FIELD_FONT = Font(italic=True, color="808080", size=9)
EXAMPLE_FONT = Font(italic=True, color="7F7F7F")
WRAP = Alignment(wrap_text=True, vertical="top")
KIND_NAMES = {
    "text": "文本",
    "money": "金额（元，最多两位小数）",
    "date": "日期（YYYY-MM-DD）",
    "int": "整数",
    "ratio": "比例",
}

GENERAL = [
    (
        "用途",
        "把资金池开办以来的台账（出资、合作协议、企业、推荐、贷款、还款、贷后事件、代偿、追偿）一次导入风险池。",
    ),
    (
        "顺序",
        "各表按依赖顺序排列；导入时按业务日期依次办理，各项额度（第九条、第十三条、"
        "第二十二条）和暂停（第三十七条）按当时的状态判断。",
    ),
    (
        "表头",
        "第1行为中文列名，第2行为字段名，勿改动；第3行为示例，原样保留将被忽略，"
        "请覆盖或删除后从下一行填写。不需要的表可以删除。",
    ),
    (
        "格式",
        "只接受 .xlsx；不得含公式（请粘贴为数值）；日期写作 YYYY-MM-DD 或 Excel 日期；金额以元为单位，最多两位小数。",
    ),
    (
        "校验",
        "先校验后写入：每个单元格的格式、每行引用的对象（本文件或风险池中已有）、"
        "再通过与接口相同的业务规则试运行；所有错误一次列出，并生成标注错误的副本。",
    ),
    (
        "写入",
        "确认预览后一次全部写入，或全部不写入。早于已日结日期的记录标记为补录（SPEC §12）。",
    ),
    (
        "再次导入",
        "已在风险池中的行不会重复写入，会逐行列出：出资和利息按凭证号，"
        "企业按统一社会信用代码，推荐按推荐表编号，贷款按银行代码与借款合同编号，"
        "还款、贷后事件、追偿按同一贷款的日期与金额。",
    ),
    (
        "政策版本",
        "放款日必须有有效的政策版本。2021年4月30日以前发放的贷款，"
        "请先通过政策版本接口（POST /api/v1/policy-version"
        "s/，由两位市工信局用户提出并批准）录入当时的版本（如包府办发〔2018〕1"
        "23号），再导入。",
    ),
    (
        "权限",
        "市工信局和受托管理机构可导入全部表；地区管理部门只能导入本地区的企业和申请；"
        "合作银行以接口密钥只能导入本行贷款的还款和贷后事件。",
    ),
]


def template_bytes() -> bytes:
    """The template as .xlsx bytes."""
    workbook = Workbook()
    help_sheet = workbook.active
    help_sheet.title = HELP_TITLE
    choices = workbook.create_sheet(CHOICES_TITLE)
    choices.sheet_state = "hidden"
    ranges: dict[tuple[str, str], str] = {}
    for sheet in SHEETS:
        _record_sheet(workbook.create_sheet(sheet.title), sheet, choices, ranges)
    workbook.move_sheet(choices, offset=len(SHEETS))  # the values' sheet last
    _help(help_sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _record_sheet(ws, sheet: BookSheet, choices, ranges: dict) -> None:
    for index, field in enumerate(sheet.fields, start=1):
        letter = get_column_letter(index)
        header = ws.cell(row=1, column=index, value=field.header)
        header.font, header.fill, header.alignment = HEADER_FONT, HEADER_FILL, Alignment(horizontal="center")
        ws.cell(row=2, column=index, value=field.key).font = FIELD_FONT
        example = ws.cell(row=3, column=index, value=_example(field))
        example.font = EXAMPLE_FONT
        if field.kind == "money":
            example.number_format = MONEY_FORMAT
        elif field.kind == "date":
            example.number_format = DATE_FORMAT
        ws.column_dimensions[letter].width = max(12, 2 * len(field.header) + 4)
        if field.choices is not None:
            source = _choice_range(choices, ranges, sheet, field)
            validation = DataValidation(type="list", formula1=source, allow_blank=not field.required)
            validation.error = "请从下拉列表中选择"
            validation.errorTitle = field.header
            ws.add_data_validation(validation)
            validation.add(f"{letter}3:{letter}50000")
    ws.freeze_panes = "A3"


def _example(field: Field):
    value = field.example
    if isinstance(value, Decimal | date | int):
        return value
    if value is None:
        return None
    labels = field.choices() if field.choices is not None else {}
    return labels.get(value, value)


def _choice_range(choices, ranges: dict, sheet: BookSheet, field: Field) -> str:
    key = (sheet.kind, field.key)
    if key not in ranges:
        column = len(ranges) + 1
        letter = get_column_letter(column)
        choices.cell(row=1, column=column, value=f"{sheet.title}·{field.header}")
        labels = list(field.choices().values())
        for row, label in enumerate(labels, start=2):
            choices.cell(row=row, column=column, value=label)
        last = max(2, len(labels) + 1)
        ranges[key] = f"{quote_sheetname(CHOICES_TITLE)}!${letter}$2:${letter}${last}"
    return ranges[key]


def _help(ws) -> None:
    ws.append(["台账导入模板", "包头市中小微企业助保金贷款资金池（包府办发〔2021〕49号）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    for label, text in GENERAL:
        ws.append([label, text])
    ws.append([])
    ws.append(["工作表", "列名", "字段名", "类型", "必填", "可选值", "说明", "依据"])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for sheet in SHEETS:
        ws.append([sheet.title, "", "", "", "", "", sheet.help, sheet.article])
        ws[ws.max_row][0].font = HEADER_FONT
        for field in sheet.fields:
            labels = "、".join(field.choices().values()) if field.choices is not None else ""
            ws.append(
                [
                    "",
                    field.header,
                    field.key,
                    KIND_NAMES[field.kind],
                    "是" if field.required else "",
                    labels,
                    field.help,
                    field.article,
                ]
            )
    for letter, width in zip("ABCDEFGH", (12, 22, 22, 22, 6, 40, 60, 24), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = WRAP
