"""Hand-over events used to attach their shared photos and note to every wish of the event, so
each resident saw other residents' homes. The shared photos now belong to the event (its staff
and attendees see them) and each wish's fulfilment note names the event only."""

from django.db import migrations
from django.db.models import Count

SHARED_EVENT_NOTE = "集中兑现活动“"


def move(apps, schema_editor):
    HandoverEvent = apps.get_model("wishes", "HandoverEvent")
    WishPhoto = apps.get_model("wishes", "WishPhoto")
    EventPhoto = apps.get_model("wishes", "EventPhoto")
    Wish = apps.get_model("wishes", "Wish")
    for event in HandoverEvent.objects.filter(fulfilled_at__isnull=False).iterator():
        wish_ids = list(event.wishes.values_list("pk", flat=True))
        photos = WishPhoto.objects.filter(wish_id__in=wish_ids, kind="fulfilment")
        shared = (
            photos.values("image").annotate(n=Count("pk")).filter(n__gt=1).values_list(
                "image", flat=True
            )
        )
        for name in list(shared):
            first = photos.filter(image=name).order_by("pk").first()
            EventPhoto.objects.create(
                event=event,
                image=name,
                uploaded_by_id=first.uploaded_by_id,
                created_at=first.created_at,
            )
            photos.filter(image=name).delete()
        Wish.objects.filter(pk__in=wish_ids, fulfil_note__startswith=SHARED_EVENT_NOTE).update(
            fulfil_note=f"在集中兑现活动“{event.title}”中兑现。"
        )


class Migration(migrations.Migration):
    dependencies = [("wishes", "0007_classify_timeline_notes")]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
