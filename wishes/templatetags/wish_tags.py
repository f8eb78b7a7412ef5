from django import template
from django.utils.translation import gettext_lazy as _

from ..lifecycle import Status
from ..policy import what_user_sees

register = template.Library()

STEPS = [_("提交"), _("审核"), _("认领"), _("兑现"), _("确认")]
# How many steps each status has completed.
DONE = {
    Status.SUBMITTED: 1,
    Status.APPROVED: 2,
    Status.DISPATCHED: 2,
    Status.CLAIMED: 3,
    Status.FULFILLED: 4,
    Status.CONFIRMED: 5,
}


@register.inclusion_tag("wishes/_progress.html")
def wish_progress(wish):
    """提交 → 审核 → 认领 → 兑现 → 确认, with the step the wish is waiting on marked current.

    Rejected, withdrawn and closed wishes stopped early: the bar says where and why.
    """
    done = DONE.get(wish.status)
    if done is None:
        return {"wish": wish, "stopped": True}
    steps = [
        {
            "label": label,
            "state": "done" if i < done else ("current" if i == done else "todo"),
        }
        for i, label in enumerate(STEPS)
    ]
    return {"wish": wish, "steps": steps, "stopped": False}


@register.filter
def claim_seen_by(claim, user):
    """`{% with seen=claim|claim_seen_by:user %}`: the claim's wish as this person sees it."""
    open_claim = claim if claim.state in claim.OPEN_STATES else None
    return what_user_sees(claim.wish, user, open_claim=open_claim)


@register.filter
def seen_by(wish, user):
    """`{% with seen=wish|seen_by:user %}`: what this person may see of the wish (the policy's
    answer; templates render it, they do not decide it)."""
    return what_user_sees(wish, user)


@register.filter
def quoted(text):
    """“text”, unless it brings its own quotation marks (wishes/quotes.py)."""
    from ..quotes import quoted as in_quotes

    return in_quotes(text)
