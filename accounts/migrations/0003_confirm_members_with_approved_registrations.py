"""Volunteers already approved by staff had their organisation seen at approval: confirm it."""

from django.db import migrations


def confirm(apps, schema_editor):
    VolunteerProfile = apps.get_model("accounts", "VolunteerProfile")
    VolunteerProfile.objects.filter(
        organisation__isnull=False, registrations__status="approved"
    ).update(organisation_confirmed=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_volunteer_organisation_confirmed")]

    operations = [migrations.RunPython(confirm, migrations.RunPython.noop)]
