"""Notice moves to the notices app. Only Django's idea of the models changes here: the table
(wishes_notice) and its rows stay where they are, and notices/0001 takes the model over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("wishes", "0008_move_shared_event_photos_to_events")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="notice", name="notice_inbox_idx"),
                migrations.DeleteModel(name="Notice"),
            ],
            database_operations=[],
        )
    ]
