"""The 圆梦墙 where other pages show it: a shared link to a wish that came true, and the box on
the staff wish page where staff hide, feature and illustrate its story."""

from __future__ import annotations

from django import template

from wishes.policy import wall as policy

from .. import wall

register = template.Library()


@register.simple_tag
def wall_story_for(wish):
    """`{% wall_story_for wish as story %}`: the wish's story if it is on the wall, else None.

    Asked once per wish and page however many blocks ask (the title and the content)."""
    if not hasattr(wish, "_wall_story_shown"):
        wish._wall_story_shown = wall.story_for(wish)
    return wish._wall_story_shown


@register.simple_tag(takes_context=True)
def wall_panel(context, wish):
    """`{% wall_panel wish as panel %}`: what the staff box needs, or None when this person may
    not decide about the wish's story (or the wish cannot be a story)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not policy.may_manage(user, wish):
        return None
    record = wall.record_of(wish)
    chosen = wall.chosen_ids(wish)
    return {
        "on_wall": policy.is_on_wall(wish),
        "featured": bool(record and record.featured),
        "record": record,
        "choices": [
            {"photo": photo, "chosen": photo.pk in chosen} for photo in wall.photo_choices(wish)
        ],
    }
