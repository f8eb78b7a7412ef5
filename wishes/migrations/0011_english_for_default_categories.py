"""English for the six categories every programme starts with (0002), found by their Chinese
name. What a superuser has already written stays, and a help text is translated only while the
Chinese is still the one 0002 wrote: an edited help text would no longer match the English."""

from django.db import migrations

# Chinese name: (Chinese help text as 0002 wrote it, English name, English help text)
ENGLISH = {
    "生活物资": (
        "米面油、衣被、家电等日常生活用品。请写清数量和规格，例如“大米10斤”。",
        "Daily necessities",
        "Everyday essentials such as rice, flour and cooking oil, clothes and bedding, or "
        "household appliances. Please say how many and what size, e.g. “5 kg of rice”.",
    ),
    "学习用品": (
        "书包、文具、课外书、学习桌椅等。请写明孩子的年级。",
        "School supplies",
        "School bags, stationery, books to read outside class, a desk and chair for homework, "
        "and so on. Please say which school year the child is in.",
    ),
    "医疗康复": (
        "轮椅、呼吸机、护理床、康复器材或陪同就医。请说明需要的器材或服务。",
        "Health and rehabilitation",
        "A wheelchair, breathing machine, care bed or rehabilitation equipment, or someone to "
        "go with you to the doctor. Please say what equipment or help is needed.",
    ),
    "法律服务": (
        "法律咨询、纠纷调解、代写文书等。请简单说明遇到的问题。",
        "Legal help",
        "Legal advice, help settling a dispute, having a letter or document written for you, "
        "and so on. Please describe the problem briefly.",
    ),
    "公共设施": (
        "小区或公园的路灯、公厕、座椅、道路等公共设施的修缮。请写明具体位置。",
        "Public facilities",
        "Repairs to shared facilities in a residential estate or park: street lights, public "
        "toilets, benches, paths and so on. Please give the exact location.",
    ),
    "其他": (
        "以上类别都不合适时选这里，请尽量说清楚需要什么帮助。",
        "Other",
        "Choose this when none of the categories above fits, and describe as clearly as you "
        "can what help is needed.",
    ),
}


def add_english(apps, schema_editor):
    Category = apps.get_model("wishes", "Category")
    taken = {
        name.lower()
        for name in Category.objects.exclude(name_en="").values_list("name_en", flat=True)
    }
    for category in Category.objects.filter(name__in=ENGLISH):
        chinese_help, name_en, help_text_en = ENGLISH[category.name]
        fields = []
        if not category.name_en and name_en.lower() not in taken:
            category.name_en = name_en
            taken.add(name_en.lower())
            fields.append("name_en")
        if not category.help_text_en and category.help_text == chinese_help:
            category.help_text_en = help_text_en
            fields.append("help_text_en")
        if fields:
            category.save(update_fields=fields)


def remove_english(apps, schema_editor):
    Category = apps.get_model("wishes", "Category")
    for name, (_chinese_help, name_en, help_text_en) in ENGLISH.items():
        Category.objects.filter(name=name, name_en=name_en).update(name_en="")
        Category.objects.filter(name=name, help_text_en=help_text_en).update(help_text_en="")


class Migration(migrations.Migration):
    dependencies = [("wishes", "0010_category_english_names")]

    operations = [migrations.RunPython(add_english, remove_english)]
