"""圆梦墙: the public wall of wishes come true, one story's page and its photos; and the three
things staff decide from the staff wish page — hide, feature, choose photos (POST only).

Who sees a story and who decides is the access policy's (`wishes.policy.wall`); what a story
says is `outcomes.wall`.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from communities.models import Community, Street
from wishes.models import WishPhoto
from wishes.policy import wall as policy
from wishes.views.base import back, perform, serve_photo
from wishes.views.staff.base import managed_wish, staff_required

from .. import wall

# The photos are public; a shared cache may keep one a little while, not long after staff
# take it off the wall. (A signed-in visitor's copy is never kept: config/middleware.py.)
PHOTO_CACHE = "public, max-age=300"


class WallFilterForm(forms.Form):
    """Where the stories are from. Anything unrecognised is ignored, never an error page."""

    street = forms.ModelChoiceField(
        label=gettext_lazy("街道"),
        queryset=Street.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部街道"),
    )
    community = forms.ModelChoiceField(
        label=gettext_lazy("社区"),
        queryset=Community.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部社区"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        street = str(self.data.get("street") or "")
        if street.isdecimal() and len(street) < 19:
            self.fields["community"].queryset = Community.objects.filter(street_id=street)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def value(self, name: str):
        """The cleaned value of one filter, or None if it was not valid."""
        if name in self.errors:  # validates the form the first time it is asked
            return None
        return self.cleaned_data.get(name)


@require_safe
def wall_list(request):
    """Every story on the wall, featured first, then the most recently fulfilled."""
    filters = WallFilterForm(request.GET)
    stories = wall.story_queryset()
    if community := filters.value("community"):
        stories = stories.filter(community=community)
    elif street := filters.value("street"):
        stories = stories.filter(community__street=street)
    page = Paginator(stories, wall.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outcomes/wall/list.html",
        {
            "filters": filters,
            "page_obj": page,
            "stories": [wall.story_of(wish) for wish in page],
            "filtered": bool(filters.value("community") or filters.value("street")),
            "querystring": query.urlencode(),
        },
    )


@require_safe
def story_page(request, pk: int):
    """One story; a wish that is not on the wall is a 404, as if it did not exist."""
    wish = get_object_or_404(wall.story_queryset(), pk=pk)
    return render(request, "outcomes/wall/story.html", {"story": wall.story_of(wish)})


@require_safe
def photo(request, photo_pk: int):
    """A photo staff chose for a story on the wall: the re-encoded file the wish keeps."""
    queryset = policy.photos(WishPhoto.objects.all())
    item = get_object_or_404(queryset, pk=photo_pk)
    response = serve_photo(item.image)
    response["Cache-Control"] = PHOTO_CACHE
    return response


# ----- staff: from the staff wish page ------------------------------------------------------


def _decide(request, pk: int, decide, done: str):
    """One decision on a wish this user works on (404 otherwise); a refusal says why."""
    wish = managed_wish(request, pk)
    return perform(
        request,
        wish,
        decide,
        done=done,
        then=back(request, "staff:wish", wish.pk),
        back_url=reverse("staff:wish", args=[wish.pk]),
    )


@require_POST
@staff_required
def hide(request, pk: int, hidden: bool):
    done = _("故事已从圆梦墙撤下。") if hidden else _("故事已恢复上墙。")
    return _decide(
        request, pk, lambda wish: wall.set_hidden(wish, by=request.user, hidden=hidden), done
    )


@require_POST
@staff_required
def feature(request, pk: int, featured: bool):
    done = _("故事已在圆梦墙置顶。") if featured else _("故事已取消置顶。")
    return _decide(
        request, pk, lambda wish: wall.set_featured(wish, by=request.user, featured=featured), done
    )


@require_POST
@staff_required
def choose_photos(request, pk: int):
    chosen = request.POST.getlist("photos")
    return _decide(
        request,
        pk,
        lambda wish: wall.choose_photos(wish, by=request.user, photo_ids=chosen),
        _("圆梦墙上的照片已保存。"),
    )
