"""A problem found in a book: where (sheet, row, column), which stable code, and what, in Chinese and English.

Codes are the SPEC.md codes the services raise (``term_too_long``, ``no_policy_in_force``…), the upload reader's
``upload_bad_cell``, and the import's own:

    import_bad_value           a value that is not one of the column's fixed values, or a shape the import needs
                               (a recommendation half filled in, a repayment with neither principal nor interest)
    import_unknown_reference   a bank, guarantor, enterprise, recommendation or loan neither in the file nor in
                               riskfund (for a bank's key: not among its own loans — never "another bank's")
    import_duplicate_row       the same natural key twice in the file (the second row is named)
    import_existing_differs    the natural key is in riskfund with other figures (nothing is overwritten)
    import_not_permitted       a row the importer may not write (a district officer outside its district or
                               beyond enterprises and applications, a bank beyond its repayments and events)
    import_no_sheets           no sheet of the template in the workbook

Each message is the code's sentence from the catalogue below (Chinese msgids, English in the app's catalog) with
the service's detail after it, so a reader sees the rule and the figures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from riskfund.errors import RuleViolation

CATALOGUE = {
    "upload_bad_cell": _("单元格格式错误"),
    "import_bad_value": _("取值无效"),
    "import_unknown_reference": _("引用的对象在本文件和风险池中都不存在"),
    "import_duplicate_row": _("本文件中重复的记录"),
    "import_existing_differs": _("风险池中已有此记录，但内容不同"),
    "import_not_permitted": _("无权导入此行"),
    "import_no_sheets": _("工作簿中没有模板的工作表"),
    "validation_error": _("数据不符合要求"),
    "date_in_future": _("日期晚于今天"),
    "no_policy_in_force": _(
        "放款日没有有效的政策版本：请先通过政策版本接口（POST /api/v1/policy-versions/）录入并批准当时的版本，再导入"
    ),
    "pool_suspended": _("资金池已暂停新增业务"),
    "pool_capacity_exceeded": _("超过资金池放大倍数"),
    "district_scale_exceeded": _("超过地区业务规模上限"),
    "enterprise_limit_exceeded": _("超过单户企业贷款余额上限"),
    "term_too_long": _("贷款期限过长"),
    "continuous_support_exceeded": _("超过连续支持年限"),
    "enterprise_not_eligible": _("企业不符合条件（非包头注册或非中小微企业）"),
    "enterprise_dishonest": _("企业在失信名单上"),
    "enterprise_under_review": _("企业正在失信认定审查中"),
    "agreement_not_active": _("银行没有有效的合作协议"),
    "agreement_exists": _("银行已有生效的合作协议"),
    "recommendation_not_usable": _("推荐表不可用"),
    "amount_exceeds_recommendation": _("贷款本金超过推荐金额"),
    "duplicate_contract_no": _("借款合同编号重复"),
    "fees_not_allowed": _("不得向企业收取额外费用"),
    "counter_guarantee_required": _("缺少反担保措施"),
    "date_before_disbursement": _("日期早于放款日"),
    "repayment_exceeds_outstanding": _("归还本金超过贷款余额"),
    "loan_compensated": _("贷款已代偿"),
    "compensation_not_due": _("尚未达到代偿条件"),
    "collection_not_attempted": _("代偿前催收次数不足"),
    "repayment_after_deduction": _("扣划日后仍有本金归还"),
    "loan_not_compensated": _("贷款尚未代偿"),
    "costs_exceed_recovery": _("费用超过追回金额"),
    "recovery_exceeds_loss": _("累计追回超过代偿损失"),
    "payable_settled": _("应付款已支付"),
    "insufficient_pool_funds": _("资金池专户余额不足"),
    "insufficient_deposit": _("抵押金余额不足"),
    "topup_not_needed": _("在贷余额未超过抵押金的规定倍数，无需补充"),
    "topup_already_pending": _("该银行已有待处理的补充申请"),
    "topup_not_pending": _("补充申请不在待批准状态"),
    "topup_not_approved": _("补充申请尚未批准"),
    "approver_is_requester": _("申请人不能批准自己的申请"),
    "agreement_not_ending": _("合作协议尚未终止"),
    "loans_active": _("银行仍有在贷贷款"),
    "bank_code_taken": _("银行代码已存在"),
    "guarantor_code_taken": _("担保机构代码已存在"),
    "import_row_failed": _("此行无法写入"),
}
GENERIC = _("违反业务规则")


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    field: str
    code: str
    message: str
    message_en: str
    clause: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def place(self) -> str:
        return f"{self.sheet}!{self.column}{self.row or ''}"


def _sentence(code: str, language: str) -> str:
    with translation.override(language):
        return str(CATALOGUE.get(code, GENERIC))


def problem(
    *, sheet: str, row: int | None, column: str = "", field: str = "", code: str, zh: str = "", en: str = "", clause=""
) -> Problem:
    """A problem with the code's sentence in both languages, then ``zh``/``en`` (the detail, figures)."""
    head_zh, head_en = _sentence(code, "zh-hans"), _sentence(code, "en")
    cite_zh = f"（{clause}）" if clause else ""
    cite_en = f" ({clause})" if clause else ""
    return Problem(
        sheet=sheet,
        row=row,
        column=column,
        field=field,
        code=code,
        message=f"{head_zh}{cite_zh}" + (f"：{zh}" if zh else ""),
        message_en=f"{head_en}{cite_en}" + (f": {en}" if en else ""),
        clause=clause,
    )


def from_violation(exc: RuleViolation, *, sheet: str, row: int, column: str, field: str) -> Problem:
    """A service's refusal as a problem of a row (its code, clause and detail; field messages of a 400)."""
    detail = exc.message
    errors = getattr(exc, "errors", None)
    if errors:
        detail = "; ".join(" ".join(str(m) for m in messages) for messages in errors.values())
    return problem(
        sheet=sheet, row=row, column=column, field=field, code=exc.code, zh=detail, en=detail, clause=exc.clause
    )
