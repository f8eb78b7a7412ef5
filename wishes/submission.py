"""A new wish is sent once: the form's one-time key, and a warning before a second wish that
looks like one the resident already has open.

Going back and sending the form again, or tapping twice on a slow connection, posts the same
key: the view finds the wish that key made and shows it, instead of making another. Someone who
starts afresh and types the same wish again (a resident who forgot, a grid worker entering what
a colleague already took down on the phone) is asked first: it is the same category and nearly
the same words as an open wish of the same resident. They may go on — a second bag of rice
next month is a real wish — or open the one that exists.
"""

from __future__ import annotations

import difflib
import unicodedata
import uuid

from django import forms
from django.db import IntegrityError, transaction
from django.forms.utils import ErrorList
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .lifecycle import Status
from .models import Wish
from .quotes import quoted

OPEN = (Status.SUBMITTED, Status.APPROVED, Status.DISPATCHED, Status.CLAIMED)
# Titles this alike count as the same wish: "一袋大米和一桶油" and "一袋大米和一桶油。", or
# "轮椅一辆" and "轮椅 一辆"; "大米" and "一袋大米和一桶油" do not.
SIMILAR_ENOUGH = 0.8


NOT_A_RESIDENT = _("只有登记为居民的账号可以提交心愿。需要帮助请联系社区或网格员代为填报。")


def own_draft(user) -> Wish | None:
    """A new wish a signed-in resident submits for themself (the page and the API), or None
    when the account is not a resident's (NOT_A_RESIDENT says why)."""
    resident = getattr(user, "resident", None)
    if resident is None:
        return None
    return Wish(
        resident=resident,
        community=resident.community,
        grid=resident.grid,
        channel=Wish.Channel.ONLINE,
        entered_by=user,
    )


class SimilarWarning:
    """For a form using check_similar(): the look-alike is shown by wishes/_similar.html with
    its two buttons, so it is left out of the form's plain list of errors."""

    def non_field_errors(self):
        errors = super().non_field_errors()
        kept = [error for error in errors.data if getattr(error, "code", None) != "similar"]
        return ErrorList(kept, error_class="nonfield", renderer=self.renderer)


def add_fields(form: forms.BaseForm) -> None:
    """The hidden one-time key (fresh on each blank form) and the "go on anyway" answer."""
    form.fields["submission_key"] = forms.UUIDField(
        widget=forms.HiddenInput, required=False, initial=uuid.uuid4
    )
    form.fields["go_on"] = forms.BooleanField(widget=forms.HiddenInput, required=False)


def _plain(title: str) -> str:
    """The title without spaces, punctuation or case: what a person would call the same."""
    text = unicodedata.normalize("NFKC", title or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def similar_open_wish(resident_id: int | None, category_id: int | None, title: str):
    """An open wish of the same resident, in the same category, with nearly the same title."""
    if not resident_id or not category_id or not _plain(title):
        return None
    candidates = (
        Wish.objects.filter(resident_id=resident_id, category_id=category_id, status__in=OPEN)
        .only("pk", "title", "status", "created_at", "resident_id")
        .order_by("-created_at")[:50]
    )
    wanted = _plain(title)
    for wish in candidates:
        if difflib.SequenceMatcher(None, wanted, _plain(wish.title)).ratio() >= SIMILAR_ENOUGH:
            return wish
    return None


def check_similar(form: forms.BaseForm, cleaned: dict) -> None:
    """In a new wish's clean(): stop once at a look-alike, unless the person chose to go on."""
    form.similar = None
    if form.instance.pk or cleaned.get("go_on"):
        return
    category = cleaned.get("category")
    similar = similar_open_wish(
        form.instance.resident_id, category.pk if category else None, cleaned.get("title", "")
    )
    if similar is not None:
        form.similar = similar
        raise forms.ValidationError(
            _("已经有一个相似的心愿还没有完成：%(title)s（%(status)s）。"),
            code="similar",
            params={"title": quoted(similar.title), "status": similar.get_status_display()},
        )


def sent_before(request: HttpRequest) -> Wish | None:
    """The wish this very form already made, if the same person sent it before with the same
    wish in it. A form kept by the browser and filled in anew is a new wish (save_once then
    saves it without the old key)."""
    raw = request.POST.get("submission_key", "")
    try:
        key = uuid.UUID(raw)
    except ValueError:
        return None
    earlier = Wish.objects.filter(submission_key=key, entered_by=request.user).first()
    if earlier is None or _plain(earlier.title) != _plain(request.POST.get("title", "")):
        return None
    return earlier


def save_once(request: HttpRequest, form: forms.ModelForm, **submit) -> tuple[Wish, bool]:
    """Save a valid new-wish form under its key: (the wish, True) when it was made now, or
    (the wish the same key made a moment ago in another request, False)."""
    wish = form.save(commit=False)
    wish.submission_key = form.cleaned_data.get("submission_key")
    try:
        with transaction.atomic():
            wish.save_submitted(by=request.user, **submit)
    except IntegrityError:
        earlier = sent_before(request)
        if earlier is not None:
            return earlier, False
        if wish.submission_key is None:
            raise
        # Someone else's key (copied, or forged): this wish is new all the same.
        wish.pk, wish.submission_key = None, None
        with transaction.atomic():
            wish.save_submitted(by=request.user, **submit)
    return wish, True
