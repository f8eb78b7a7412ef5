import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("wishes", "0009_notice_moves_to_notices")]

    operations = [
        migrations.AddField(
            model_name="category",
            name="name_en",
            field=models.CharField(
                blank=True,
                help_text="页面为英文时显示；不填则显示中文名称。导入表格也接受这个名称。",
                max_length=60,
                verbose_name="英文名称",
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="help_text_en",
            field=models.CharField(
                blank=True,
                help_text="页面为英文时显示；不填则显示中文填写提示。",
                max_length=300,
                verbose_name="英文填写提示",
            ),
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name_en"),
                condition=models.Q(("name_en", ""), _negated=True),
                name="category_english_name_unique",
                violation_error_message="已有类别使用这个英文名称。",
            ),
        ),
    ]
