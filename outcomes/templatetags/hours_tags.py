"""`{% hours_entry wish %}`: on a fulfilled wish's page, the volunteer who fulfilled it enters
the hours they gave (or sees where their entry stands). Nobody else sees anything."""

from decimal import Decimal

from django import template

from ..forms_hours import HoursEntryForm
from ..hours import FULFILLED, HoursError, entry_for, fulfilling_claim

register = template.Library()


@register.inclusion_tag("outcomes/hours/_entry_card.html", takes_context=True)
def hours_entry(context, wish):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or wish.status not in FULFILLED:
        return {"show": False}
    try:
        claim = fulfilling_claim(user, wish)
    except HoursError:
        return {"show": False}
    entry = entry_for(user, wish)
    return {
        "show": True,
        "wish": wish,
        "entry": entry,
        "form": HoursEntryForm.for_wish(wish, claim, entry),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def hours(value) -> str:
    """3, 4.5: hours as people write them (no trailing .0)."""
    if value in (None, ""):
        return "0"
    value = Decimal(value).quantize(Decimal("0.1"))
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"
