"""The 圆梦墙 (wall of wishes come true): what a story says, and what staff decide about it.

Which wishes are stories, and who may decide, is the access policy's (`wishes.policy.wall`).
What a story may say is decided here, once, for the wall, the story page and a shared link to
the wish: the masked name, the community, the category, the title and the notes with typed
numbers masked, the date, the photos staff chose, and the helper's name only as they agreed
(`VolunteerProfile.wall_credit`). Never the resident's full name, phone, address, household
situation, the wish's description or the resident's own photos.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import F, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import VolunteerProfile
from wishes.lifecycle import WishError
from wishes.masking import mask_numbers
from wishes.models import Claim, Wish, WishPhoto
from wishes.policy import wall

from .models import WallStory

if TYPE_CHECKING:
    from accounts.models import User

PAGE_SIZE = 12


@dataclass(frozen=True)
class Story:
    """One wish come true, as the public may read it."""

    wish_id: int
    title: str
    done: str  # what was done: the fulfilment note
    thanks: str
    name: str  # 王先生 / 张**
    community: str
    street: str
    category: str
    fulfilled_on: datetime.date | None
    credit: str
    photos: tuple[WishPhoto, ...]
    featured: bool


def story_queryset(queryset: QuerySet[Wish] | None = None) -> QuerySet[Wish]:
    """The stories on the wall, featured first, then the most recently fulfilled, with all that
    `story_of` reads fetched in a fixed number of queries however many there are."""
    helpers = Claim.objects.filter(state=Claim.State.FULFILLED).select_related(
        "volunteer__volunteer_profile__organisation", "organisation"
    )
    chosen = WishPhoto.objects.filter(kind__in=wall.PHOTO_KINDS).order_by("created_at", "pk")
    return (
        wall.stories(queryset)
        .select_related("community__street", "category", "resident", "wall_story")
        .prefetch_related(
            Prefetch("claims", queryset=helpers.order_by("-ended_at", "-pk"), to_attr="helpers"),
            Prefetch("wall_story__photos", queryset=chosen, to_attr="chosen"),
        )
        .annotate(featured_first=Coalesce(F("wall_story__featured"), Value(False)))
        .order_by("-featured_first", F("fulfilled_at").desc(nulls_last=True), "-pk")
    )


def story_for(wish: Wish) -> Story | None:
    """The story of this wish, if it is on the wall (a shared link, the story page)."""
    if not wall.is_on_wall(wish):
        return None
    found = story_queryset().filter(pk=wish.pk).first()
    return story_of(found) if found is not None else None


def story_of(wish: Wish) -> Story:
    """What the wall says of a wish fetched through `story_queryset`."""
    record = record_of(wish)
    photos: tuple[WishPhoto, ...] = ()
    if record is not None:
        # Only the delivery's photos of this very wish, whatever else a row may hold.
        photos = tuple(
            photo for photo in record.chosen if photo.wish_id == wish.pk and wall.may_choose(photo)
        )
    fulfilled_at = wish.fulfilled_at
    return Story(
        wish_id=wish.pk,
        title=mask_numbers(wish.title),
        done=mask_numbers(wish.fulfil_note),
        thanks=mask_numbers(wish.thanks_note),
        name=wish.masked_name,
        community=wish.community.name,
        street=wish.community.street.name,
        category=wish.category.label,
        fulfilled_on=timezone.localdate(fulfilled_at) if fulfilled_at else None,
        credit=credit_for(wish.helpers[0] if wish.helpers else None),
        photos=photos,
        featured=record is not None and record.featured,
    )


def credit_for(claim: Claim | None) -> str:
    """Who made the wish come true, only as the volunteer agreed the wall may say it: their
    name, their confirmed organisation's (or the one they claimed for), or nobody in
    particular."""
    nobody = _("一位志愿者")
    volunteer = claim.volunteer if claim is not None else None
    if volunteer is None or not volunteer.is_active:
        return nobody
    profile = getattr(volunteer, "volunteer_profile", None)
    if profile is None:
        return nobody
    if profile.wall_credit == VolunteerProfile.WallCredit.NAME:
        # Never the username: a self-registered volunteer's is their mobile number.
        return volunteer.real_name.strip() or nobody
    if profile.wall_credit == VolunteerProfile.WallCredit.ORGANISATION:
        if claim.organisation_id:
            return claim.organisation.name
        if profile.organisation_id and profile.organisation_confirmed:
            return profile.organisation.name
    return nobody


def record_of(wish: Wish) -> WallStory | None:
    try:
        return wish.wall_story
    except ObjectDoesNotExist:
        return None


# ----- what staff decide ------------------------------------------------------------------


def _check(wish: Wish, by: User) -> None:
    if not wall.is_eligible(wish):
        raise WishError(_("只有居民同意公开展示、已经实现的个人心愿才会上圆梦墙。"), code="state")
    if not wall.may_manage(by, wish):
        raise WishError(_("只有负责这个心愿的工作人员可以设置圆梦墙。"), code="forbidden")


def _decide(wish: Wish, by: User, **changes) -> WallStory:
    with transaction.atomic():
        story, _created = WallStory.objects.update_or_create(
            wish=wish, defaults={**changes, "decided_by": by}
        )
    wish.wall_story = story  # what the rest of the request reads
    return story


def set_hidden(wish: Wish, *, by: User, hidden: bool) -> WallStory:
    """Take a story off the wall (it stops being featured), or put it back."""
    _check(wish, by)
    changes = {"hidden": hidden, "featured": False} if hidden else {"hidden": False}
    return _decide(wish, by, **changes)


def set_featured(wish: Wish, *, by: User, featured: bool) -> WallStory:
    """Put a story first on the wall (a hidden one cannot be), or let it take its turn."""
    _check(wish, by)
    if featured and wall.is_hidden(wish):
        raise WishError(_("这个故事没有上墙，请先恢复上墙再置顶。"), code="state")
    return _decide(wish, by, featured=featured)


def photo_choices(wish: Wish) -> QuerySet[WishPhoto]:
    """The photos staff may choose for a story: the delivery's, never the resident's own."""
    return wish.photos.filter(kind__in=wall.PHOTO_KINDS).order_by("created_at", "pk")


def choose_photos(wish: Wish, *, by: User, photo_ids: list[str]) -> WallStory:
    """The story shows exactly these photos (none is a choice too)."""
    _check(wish, by)
    choices = {str(photo.pk): photo for photo in photo_choices(wish)}
    if any(pk not in choices for pk in photo_ids):
        raise WishError(_("只能选择这个心愿的兑现照片。"), code="invalid")
    with transaction.atomic():
        story = _decide(wish, by)
        story.photos.set([choices[pk] for pk in dict.fromkeys(photo_ids)])
    return story


def chosen_ids(wish: Wish) -> set[int]:
    record = record_of(wish)
    return set(record.photos.values_list("pk", flat=True)) if record is not None else set()
