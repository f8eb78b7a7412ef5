"""Memberships were confirmed as a side effect of approving a 双报到 anywhere. Keep those that staff
of a community the organisation is registered with could have confirmed (an approved
registration there); the rest wait for the organisation's own decision again."""

from django.db import migrations


def revoke(apps, schema_editor):
    VolunteerProfile = apps.get_model("accounts", "VolunteerProfile")
    Organisation = apps.get_model("communities", "Organisation")
    VolunteerRegistration = apps.get_model("accounts", "VolunteerRegistration")
    confirmed = VolunteerProfile.objects.filter(
        organisation__isnull=False, organisation_confirmed=True
    )
    for profile in confirmed.iterator():
        registered = Organisation.communities.through.objects.filter(
            organisation_id=profile.organisation_id
        ).values("community_id")
        backed = VolunteerRegistration.objects.filter(
            volunteer_id=profile.pk, status="approved", community_id__in=registered
        ).exists()
        if not backed:
            VolunteerProfile.objects.filter(pk=profile.pk).update(organisation_confirmed=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_volunteer_membership_decision"),
        ("communities", "0002_organisation_liaisons"),
    ]

    operations = [migrations.RunPython(revoke, migrations.RunPython.noop)]
