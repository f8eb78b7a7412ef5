"""The six categories every programme starts with; staff edit them in the admin afterwards."""

from django.db import migrations

CATEGORIES = [
    ("生活物资", "米面油、衣被、家电等日常生活用品。请写清数量和规格，例如“大米10斤”。"),
    ("学习用品", "书包、文具、课外书、学习桌椅等。请写明孩子的年级。"),
    ("医疗康复", "轮椅、呼吸机、护理床、康复器材或陪同就医。请说明需要的器材或服务。"),
    ("法律服务", "法律咨询、纠纷调解、代写文书等。请简单说明遇到的问题。"),
    ("公共设施", "小区或公园的路灯、公厕、座椅、道路等公共设施的修缮。请写明具体位置。"),
    ("其他", "以上类别都不合适时选这里，请尽量说清楚需要什么帮助。"),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("wishes", "Category")
    for order, (name, help_text) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            name=name, defaults={"help_text": help_text, "order": order * 10}
        )


def remove_categories(apps, schema_editor):
    Category = apps.get_model("wishes", "Category")
    Category.objects.filter(name__in=[name for name, _ in CATEGORIES], wishes__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("wishes", "0001_initial")]

    operations = [migrations.RunPython(add_categories, remove_categories)]
