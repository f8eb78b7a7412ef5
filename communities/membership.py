"""Who belongs to an organisation: decided for that organisation, by someone responsible for it.

A volunteer names their workplace branch (党支部) when signing up. Until that membership is
confirmed — by the organisation's liaison (联络员), or by staff of a community the organisation
registered with — the volunteer cannot act for it: no dispatches to it, no claims in its name,
none of its notices. Each decision is recorded in the audit log and told to the volunteer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from accounts.models import User, VolunteerProfile


def decide_membership(profile: VolunteerProfile, *, by: User, confirm: bool) -> bool:
    """Confirm or refuse `profile`'s claim to belong to the organisation they named.

    False — and nothing changes — if `by` is not responsible for that organisation, the
    volunteer names no (or another) organisation by now, or someone decided first.
    """
    from audit.models import AuditEntry
    from audit.records import record
    from notices.service import notify
    from wishes import policy

    organisation = profile.organisation
    if organisation is None or not policy.organisations.can_manage_members(by, organisation):
        return False
    with transaction.atomic():
        if not profile.decide_membership(by=by, confirm=confirm, organisation_id=organisation.pk):
            return False
        action = (
            AuditEntry.Action.MEMBERSHIP_CONFIRMED
            if confirm
            else AuditEntry.Action.MEMBERSHIP_REFUSED
        )
        record(by, action, subject=f"{profile.user.display_name} · {organisation.name}"[:200])
        notify("membership_decided", [profile.user], approved=confirm, org=organisation.name)
    return True
