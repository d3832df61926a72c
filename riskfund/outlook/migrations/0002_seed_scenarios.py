"""The base scenario (the model as estimated) and the issue's two example stresses; the bureau adds others."""

from decimal import Decimal

from django.db import migrations

SCENARIOS = [
    ("base", "基准情景", Decimal("1.00"), Decimal("0.000"), "按历史数据估计的迁徙率与追偿回收曲线，不加压"),
    ("rolls-x1-5", "迁徙率×1.5", Decimal("1.50"), Decimal("0.000"), "向更差状态迁徙的概率均乘以1.5"),
    ("rolls-x2-haircut-50", "迁徙率×2，追偿减半", Decimal("2.00"), Decimal("0.500"), "迁徙概率乘以2，追偿回收减半"),
]


def seed(apps, schema_editor):
    Scenario = apps.get_model("outlook", "Scenario")
    for name, title, multiplier, haircut, notes in SCENARIOS:
        Scenario.objects.get_or_create(
            name=name,
            defaults={"title": title, "roll_multiplier": multiplier, "recovery_haircut": haircut, "notes": notes},
        )


class Migration(migrations.Migration):
    dependencies = [("outlook", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
