"""The cast of the demo (tools/demo/portfolio.py): its banks, guarantors, districts and enterprise names, the demo
users of every role with their passwords, and the constants of the simulated calendar."""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from riskfund.access import ALL_ROLES, AUDITOR, BUREAU, DISTRICT, TRUSTEE
from riskfund.parties.models import Bank, StaffProfile
from riskfund.policy.uscc import uscc_check_char

D = Decimal
FEN = D("0.01")
START = date(2024, 12, 2)
FIRST_LOAN = date(2025, 1, 6)
POLICY_2021_ENDS = date(2026, 4, 29)
TERMS = [6, 9, 12, 12]  # months (art. 22: at most 12): the first loans mature from July 2025
SEED = 2026

BANKS = [
    ("BOCBT", "中国银行包头分行"),
    ("ICBCBT", "中国工商银行包头分行"),
    ("CCBBT", "中国建设银行包头分行"),
    ("IMBBT", "内蒙古银行包头分行"),
    ("BTRCB", "包头农村商业银行"),
]
GUARANTORS = [("BJDB", "包头市百佳融资担保有限责任公司"), ("BTZXDB", "包头市中小企业融资担保有限公司")]
# district code → (weight of the loan book, instalments of its injection)
DISTRICTS = {
    "150202": (14, 1),
    "150203": (20, 1),
    "150204": (14, 1),
    "150205": (3, 2),
    "150206": (2, 2),
    "150207": (12, 1),
    "150221": (8, 1),
    "150222": (6, 1),
    "150223": (4, 1),
    "150271": (17, 1),
}
NAME_HEADS = [
    "鹿城",
    "北方",
    "华鑫",
    "钢城",
    "稀宝",
    "金山",
    "草原",
    "黄河",
    "阴山",
    "恒源",
    "德润",
    "瑞丰",
    "兴业",
    "宏达",
]
NAME_TRADES = {
    "industry": ["机械制造", "稀土材料", "铝业加工", "新材料", "装备制造", "食品加工"],
    "wholesale": ["商贸", "物资供应"],
    "retail": ["商超", "连锁零售"],
    "software_it": ["信息技术", "软件科技"],
    "transport": ["物流运输", "汽车运输"],
    "construction": ["建筑安装", "市政工程"],
}
DEMO_PASSWORDS = {
    "bureau": "riskfund-bureau-2026",
    "bureau2": "riskfund-bureau2-2026",
    "trustee": "riskfund-trustee-2026",
    "district": "riskfund-district-2026",
    "auditor": "riskfund-auditor-2026",
}
DEMO_USER_ROLES = {"bureau": BUREAU, "bureau2": BUREAU, "trustee": TRUSTEE, "district": DISTRICT, "auditor": AUDITOR}
DEMO_DISTRICT = "150203"  # the demo district officer: 昆都仑区


def make_uscc(serial: int, district: str) -> str:
    """ "91" (enterprise) + the division code (chars 3–6 ``1502``) + a 9-digit serial + the GB 32100 check char."""
    first17 = f"91{district}{serial:09d}"
    return first17 + uscc_check_char(first17)


def demo_loaded() -> bool:
    return Bank.objects.filter(code=BANKS[0][0]).exists()


def demo_users() -> dict[str, str]:
    """One staff user per role (two for the bureau: maker-checker needs a second approver); returns passwords."""
    User = get_user_model()
    for name in ALL_ROLES:
        Group.objects.get_or_create(name=name)
    for username, role in DEMO_USER_ROLES.items():
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@riskfund.invalid"})
        user.is_staff = True
        user.is_superuser = False
        user.set_password(DEMO_PASSWORDS[username])
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        if role == DISTRICT:
            StaffProfile.objects.update_or_create(user=user, defaults={"district_id": DEMO_DISTRICT})
    return dict(DEMO_PASSWORDS)
