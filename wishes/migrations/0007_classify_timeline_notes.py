"""Give every recorded timeline event the audience of its note, as new events get it
(wishes/lifecycle.py NOTE_AUDIENCE): staff's remarks on dispatching, releasing, declining and
escalating stop reaching residents. A hand-over event's shared note stays with staff."""

from django.db import migrations

# Frozen copy of NOTE_AUDIENCE as it stood when this migration was written.
NOTE_AUDIENCE = {
    "submit": "involved",
    "approve": "staff",
    "reject": "resident",
    "withdraw": "resident",
    "edit": "resident",
    "claim": "involved",
    "dispatch": "claimer",
    "accept": "involved",
    "decline": "staff",
    "release": "staff",
    "fulfil": "involved",
    "confirm": "involved",
    "remind": "claimer",
    "escalate": "staff",
    "close": "resident",
}
SHARED_EVENT_NOTE = "集中兑现活动“"


def classify(apps, schema_editor):
    WishEvent = apps.get_model("wishes", "WishEvent")
    # The timeline is never edited; this fills a new column that did not exist before.
    for action, audience in NOTE_AUDIENCE.items():
        WishEvent.objects.filter(action=action).update(audience=audience)
    WishEvent.objects.filter(action="fulfil", note__startswith=SHARED_EVENT_NOTE).update(
        audience="staff"
    )


class Migration(migrations.Migration):
    dependencies = [("wishes", "0006_event_photos_note_audience_hidden_categories")]

    operations = [migrations.RunPython(classify, migrations.RunPython.noop)]
