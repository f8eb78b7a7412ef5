"""Notice, as it stood in the wishes app, taken over on its own table (wishes_notice)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("wishes", "0009_notice_moves_to_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("kind", models.CharField(max_length=12, verbose_name="类型")),
                        ("text", models.CharField(max_length=500, verbose_name="内容")),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="时间"
                            ),
                        ),
                        (
                            "read_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="已读时间"),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notices",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="接收人",
                            ),
                        ),
                        (
                            "wish",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notices",
                                to="wishes.wish",
                                verbose_name="心愿",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "通知",
                        "verbose_name_plural": "通知",
                        "db_table": "wishes_notice",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(fields=["user", "read_at"], name="notice_inbox_idx")
                        ],
                    },
                )
            ],
            database_operations=[],
        )
    ]
