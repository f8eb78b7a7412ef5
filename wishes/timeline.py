"""A wish's timeline as each reader may read it.

Staff read every event as recorded: who, the move, the new status and the note. The resident and
the volunteer delivering read what happened in plain words, with only the notes written for them
(`WishEvent.audience`): never staff's remarks about dispatching, releasing or declining.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .lifecycle import Audience

if TYPE_CHECKING:
    from .models import Wish

# What happened, said to the resident (or the claimer) without names or internal detail.
PLAIN_WORDS = {
    "submit": _("提交了心愿"),
    "approve": _("社区审核通过，心愿已发布到心愿清单"),
    "reject": _("心愿没有通过审核"),
    "withdraw": _("心愿已撤回"),
    "edit": _("修改了心愿"),
    "claim": _("有志愿者认领了心愿"),
    "dispatch": _("社区已把心愿派给志愿者或单位，等待接单"),
    "accept": _("志愿者已接单"),
    "decline": _("派单已退回，心愿重新等待认领"),
    "release": _("认领已取消，心愿重新等待认领"),
    "fulfil": _("志愿者报告心愿已实现"),
    "confirm": _("心愿人已确认收到"),
    "remind": _("社区提醒认领人尽快兑现"),
    "escalate": _("社区已请街道协调"),
    "close": _("心愿无法实现，已关闭"),
}

READS = {
    "staff": {Audience.STAFF, Audience.CLAIMER, Audience.RESIDENT, Audience.INVOLVED},
    "resident": {Audience.RESIDENT, Audience.INVOLVED},
    "claimer": {Audience.CLAIMER, Audience.INVOLVED},
}


def timeline_for(wish: Wish, *, viewer: str):
    """The lines of `wish`'s timeline for a reader: "staff", "resident" or "claimer"."""
    from .policy import TimelineLine

    reads = READS[viewer]
    prefetched = "events" in getattr(wish, "_prefetched_objects_cache", {})
    events = wish.events.all() if prefetched else wish.events.select_related("actor")
    lines = []
    for event in events:
        note = event.note if event.audience in reads else ""
        if viewer == "staff":
            moved = event.from_status != event.to_status
            lines.append(
                TimelineLine(
                    when=event.created_at,
                    text=event.action_label,
                    note=note,
                    actor=event.actor_display,
                    status=event.get_to_status_display() if moved else "",
                    note_audience=event.get_audience_display() if note else "",
                )
            )
        else:
            text = str(PLAIN_WORDS.get(event.action, event.action_label))
            lines.append(TimelineLine(when=event.created_at, text=text, note=note))
    return lines
