"""The loan's sheets of the book: loans, their schedules and counter-guarantees, repayments, post-loan events,
compensations and recoveries (see ``book`` for what a sheet and a field are)."""

from datetime import date
from decimal import Decimal

from .book import BookSheet, Field, event_kinds, guarantee_kinds, repayment_methods, yes_no

D = Decimal


def bank_field(example: str = "BTBANK") -> Field:
    return Field(
        "bank",
        "银行代码",
        example=example,
        help="合作银行的代码（合作协议表或风险池中已有）",
        article="第十四条",
        max_length=32,
    )


def contract_field() -> Field:
    return Field(
        "contract_no",
        "借款合同编号",
        example="BT-2025-0001",
        help="该银行的借款合同编号",
        article="第二十七条",
        max_length=64,
    )


LOAN_SHEETS: tuple[BookSheet, ...] = (
    BookSheet(
        "loan",
        "贷款",
        (
            bank_field(),
            contract_field(),
            Field(
                "form_no",
                "推荐表编号",
                example="ZBJ-2025-000001",
                help="推荐表或风险池中已有",
                article="第二十五条",
                max_length=20,
            ),
            Field("principal", "贷款本金（元）", "money", example=D("1000000.00"), article="第二十二条"),
            Field(
                "disbursed_on",
                "放款日期",
                "date",
                example=date(2025, 3, 3),
                help="须在当时有效的政策版本内",
                article="第二十七条",
            ),
            Field(
                "maturity_on",
                "到期日期",
                "date",
                example=date(2026, 3, 3),
                help="不超过1年（放宽的不超过2年）",
                article="第二十二条",
            ),
            Field("annual_rate", "年利率（%）", example="3.45", article="第二十二条"),
            Field(
                "repayment_method",
                "还款方式",
                choices=repayment_methods,
                example="bullet",
                help="分期还款须在还款计划表列明各期",
            ),
            Field("extended_term", "放宽期限", required=False, choices=yes_no, example="no", article="第二十二条"),
            Field("extended_reason", "放宽理由", required=False, max_length=500),
            Field(
                "reported_on",
                "报送日期",
                "date",
                required=False,
                example=date(2025, 3, 4),
                help="银行书面通知的日期，不填为导入当日",
                article="第二十七条",
            ),
        ),
        "合作银行已发放的助保金贷款（分期的还款计划、反担保措施见后两表）",
        "第二十二条、第二十七条",
        ("bank", "contract_no"),
    ),
    BookSheet(
        "schedule",
        "还款计划",
        (
            bank_field(),
            contract_field(),
            Field("due_on", "应还日期", "date", example=date(2025, 6, 3), article="第二十二条"),
            Field("principal", "应还本金（元）", "money", example=D("250000.00"), article="第二十二条"),
        ),
        "分期还款贷款的各期本金（合计等于本金，最后一期为到期日）；到期一次性还款的贷款不填",
        "第二十二条",
    ),
    BookSheet(
        "counter_guarantee",
        "反担保",
        (
            bank_field(),
            contract_field(),
            Field("kind", "反担保方式", choices=guarantee_kinds, example="guarantee", article="第二十八条"),
            Field("description", "描述", required=False, example="法定代表人连带责任保证", max_length=500),
            Field("value", "价值（元）", "money", required=False),
        ),
        "企业向担保机构提供的反担保措施（2021年版每笔贷款至少一项）",
        "第二十八条",
    ),
    BookSheet(
        "repayment",
        "还款",
        (
            bank_field(),
            contract_field(),
            Field("paid_on", "还款日期", "date", example=date(2025, 6, 3), article="第二十二条"),
            Field("principal", "归还本金（元）", "money", example=D("250000.00")),
            Field("interest", "归还利息（元）", "money", example=D("8625.00")),
        ),
        "贷款的还款：本金按应还日期顺序冲抵各期",
        "第二十二条",
    ),
    BookSheet(
        "event",
        "贷后事件",
        (
            bank_field(),
            contract_field(),
            Field(
                "kind",
                "事项",
                choices=event_kinds,
                example="visit",
                help="代偿前须有催收记录",
                article="第二十九条至第三十一条",
            ),
            Field("occurred_on", "发生日期", "date", example=date(2025, 5, 10)),
            Field("notes", "情况说明", required=False, example="企业经营正常", max_length=2000),
        ),
        "贷后管理、风险预警、催收、诉讼与执行等事项",
        "第二十九条至第三十一条、第三十三条、第三十五条",
    ),
    BookSheet(
        "compensation",
        "代偿",
        (
            bank_field(),
            contract_field(),
            Field(
                "deducted_on",
                "扣划日期",
                "date",
                example=date(2026, 4, 1),
                help="本金逾期超过25天后",
                article="第三十二条",
            ),
            Field(
                "reported_on",
                "报送日期",
                "date",
                required=False,
                help="银行书面告知的日期，不填为导入当日",
                article="第三十二条",
            ),
            Field(
                "settled_on",
                "应付款支付日期",
                "date",
                required=False,
                help="抵押金不足部分由受托管理机构支付的日期",
                article="第三十二条",
            ),
        ),
        "银行从抵押金扣划的代偿（40:20:40，资金池部分30:30:40）",
        "第二十条、第三十二条",
        ("bank", "contract_no"),
    ),
    BookSheet(
        "recovery",
        "追偿",
        (
            bank_field(),
            contract_field(),
            Field("recovered_on", "追回日期", "date", example=date(2026, 8, 3), article="第三十三条"),
            Field("gross", "追回金额（元）", "money", example=D("200000.00"), article="第三十四条"),
            Field("litigation", "诉讼费（元）", "money", required=False, article="第三十四条"),
            Field("enforcement", "执行费（元）", "money", required=False),
            Field("appraisal", "评估费（元）", "money", required=False),
            Field("commission", "委托费（元）", "money", required=False),
            Field("other", "其他费用（元）", "money", required=False),
        ),
        "代偿后追回的资金（资产），扣除费用后按原比例返还",
        "第三十三条、第三十四条",
    ),
)
