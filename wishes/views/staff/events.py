"""集中兑现 / 主题党日: staff create hand-over events, attach claimed wishes, keep the attendance
list and, after the event, mark every attached wish fulfilled in one action."""

from __future__ import annotations

import io

import qrcode
from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from communities.models import Community, Organisation

from ... import policy
from ...forms import FulfilForm, MultipleImageField
from ...lifecycle import Status, WishError
from ...models import Claim, EventAttendance, HandoverEvent, Wish
from ..base import STATUS_FOR_CODE
from .base import chosen_communities, community_staff_required

# ----- forms -------------------------------------------------------------------------------


class DateTimeLocalInput(forms.DateTimeInput):
    """The phone's own date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class HandoverEventForm(forms.ModelForm):
    class Meta:
        model = HandoverEvent
        fields = ["community", "title", "place", "starts_at", "ends_at", "organiser", "note"]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "ends_at": gettext_lazy("志愿者可以在开始前30分钟到结束时间之间扫码签到。"),
        }

    def __init__(self, *args, communities: QuerySet[Community], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if len(communities) == 1:
            self.fields["community"].initial = communities[0].pk
            self.fields["community"].widget = forms.HiddenInput()
        self.fields["organiser"].queryset = (
            Organisation.objects.filter(communities__in=communities).distinct().order_by("name")
        )
        self.fields["organiser"].empty_label = gettext_lazy("不填（社区组织）")

    def _plausible(self, name: str):
        # A mistyped year (0001, 9999) would break every date shown for the event.
        moment = self.cleaned_data[name]
        year = timezone.now().year
        if moment and not (year - 1 <= moment.year <= year + 2):
            raise forms.ValidationError(gettext_lazy("请检查活动日期的年份。"))
        return moment

    def clean_starts_at(self):
        return self._plausible("starts_at")

    def clean_ends_at(self):
        return self._plausible("ends_at")


class AttachForm(forms.Form):
    """Pick claimed wishes of the event's community; the model refuses any that do not fit."""

    wishes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("认领中的心愿"),
        queryset=Wish.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("请至少选择一个心愿。"),
            "invalid_choice": gettext_lazy("所选心愿不是本社区的心愿。"),
        },
    )

    def __init__(self, *args, event: HandoverEvent, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["wishes"]
        if self.is_bound:
            # Check against every wish of the community, so an unclaimed one gets the model's
            # clear refusal rather than "not one of the available choices".
            field.queryset = Wish.objects.filter(community=event.community_id)
        else:
            field.queryset = attachable_wishes(event)
        field.label_from_instance = wish_label


class AttendeeForm(forms.Form):
    user = forms.ModelChoiceField(
        label=gettext_lazy("补签参加人"),
        queryset=User.objects.none(),
        empty_label=gettext_lazy("选择志愿者"),
        help_text=gettext_lazy("在本社区报到的志愿者和组织单位的党员。"),
    )

    def __init__(self, *args, event: HandoverEvent, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = possible_attendees(event)
        field.label_from_instance = lambda user: (
            f"{user.display_name}（{user.phone[-4:]}）" if user.phone else user.display_name
        )


class BulkFulfilForm(FulfilForm):
    """The event's own report (note and photos, seen by its staff and attendees), plus, for each
    wish, what its resident will see: an optional note and photos chosen for that wish only."""

    PER_WISH_PHOTOS = 3

    def __init__(self, *args, wishes=(), **kwargs):
        super().__init__(*args, **kwargs)
        note, photos = self.fields["note"], self.fields["photos"]
        note.label = gettext_lazy("活动情况")
        note.help_text = gettext_lazy(
            "只有社区工作人员和到场签到的人能看到，居民看不到。请不要写居民的姓名和家庭情况。"
        )
        note.error_messages["required"] = gettext_lazy("请简单说明集中兑现的情况。")
        photos.label = gettext_lazy("活动照片（最多6张）")
        photos.help_text = gettext_lazy(
            "合影、现场照片：只有工作人员和到场的人能看到，不会发给任何一位居民。"
        )
        self.wishes = list(wishes)
        for wish in self.wishes:
            self.fields[f"note_{wish.pk}"] = forms.CharField(
                label=gettext_lazy("给心愿人的说明（可不填）"),
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=gettext_lazy("不填则写“在集中兑现活动中兑现”。"),
            )
            self.fields[f"photos_{wish.pk}"] = MultipleImageField(
                label=gettext_lazy("这个心愿的照片（可不填，最多3张）"),
                max_files=self.PER_WISH_PHOTOS,
                help_text=gettext_lazy("只有这位心愿人和社区能看到。"),
            )

    def wish_fields(self):
        """(wish, note field, photos field) for the template, one block per wish."""
        return [(wish, self[f"note_{wish.pk}"], self[f"photos_{wish.pk}"]) for wish in self.wishes]

    def per_wish(self) -> dict[int, dict]:
        return {
            wish.pk: {
                "note": self.cleaned_data.get(f"note_{wish.pk}", ""),
                "photos": self.cleaned_data.get(f"photos_{wish.pk}") or [],
            }
            for wish in self.wishes
        }


# ----- queries -----------------------------------------------------------------------------


def managed_event(request: HttpRequest, pk: int) -> HandoverEvent:
    """An event of a community this user manages, or 404."""
    queryset = HandoverEvent.objects.managed_by(request.user).select_related(
        "community", "community__street", "organiser", "created_by", "fulfilled_by"
    )
    return get_object_or_404(queryset, pk=pk)


def with_holders(wishes: QuerySet[Wish]) -> QuerySet[Wish]:
    claims = Claim.objects.filter(
        state__in=[Claim.State.ACTIVE, Claim.State.FULFILLED]
    ).select_related("volunteer", "organisation")
    return wishes.select_related("resident", "category").prefetch_related(
        Prefetch("claims", queryset=claims, to_attr="holding_claims")
    )


def wish_label(wish: Wish) -> str:
    holder = wish.holding_claims[0].holder_display if getattr(wish, "holding_claims", None) else ""
    parts = [wish.title, wish.masked_name, holder]
    return " · ".join(part for part in parts if part)


def attachable_wishes(event: HandoverEvent) -> QuerySet[Wish]:
    """Claimed wishes of the community not yet in this or another open event."""
    in_open_events = HandoverEvent.wishes.through.objects.filter(
        handoverevent__fulfilled_at__isnull=True
    ).values("wish_id")
    return with_holders(
        Wish.objects.filter(community=event.community_id, status=Status.CLAIMED)
        .exclude(handover_events=event)
        .exclude(pk__in=in_open_events)
        .order_by("claimed_at", "pk")
    )


def possible_attendees(event: HandoverEvent) -> QuerySet[User]:
    """Who may be signed in: the policy's rule (approved volunteers, confirmed branch members)."""
    eligible = User.objects.filter(policy.events.may_attend_q(event)).values("pk")
    return (
        User.objects.filter(pk__in=eligible)
        .exclude(event_attendances__event=event)
        .order_by("real_name", "username")
    )


def sign_in_url(request: HttpRequest, event: HandoverEvent) -> str:
    return request.build_absolute_uri(reverse("wishes:event", args=[event.short_code]))


# ----- pages -------------------------------------------------------------------------------


@community_staff_required
def event_list(request):
    communities, picked = chosen_communities(request, whole=True)
    events = (
        HandoverEvent.objects.filter(community__in=communities)
        .select_related("community", "organiser")
        .annotate(
            wish_count=Count("wishes", distinct=True),
            attendee_count=Count("attendances", distinct=True),
        )
    )
    now = timezone.now()
    return render(
        request,
        "staff/events.html",
        {
            "upcoming": events.filter(ends_at__gte=now, fulfilled_at__isnull=True).order_by(
                "starts_at", "pk"
            ),
            "past": events.filter(Q(ends_at__lt=now) | Q(fulfilled_at__isnull=False)).order_by(
                "-starts_at", "-pk"
            )[:30],
            "communities": communities,
            "picked": picked,
        },
    )


@community_staff_required
def event_create(request):
    communities, picked = chosen_communities(request, whole=True)
    initial = {"community": picked.pk} if picked else {}
    form = HandoverEventForm(request.POST or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        event = form.save(commit=False)
        event.created_by = request.user
        event.save()
        messages.success(
            request,
            _("活动已创建，签到码 %(code)s。接下来加入要集中兑现的心愿。")
            % {"code": event.short_code},
        )
        return redirect("staff:event", pk=event.pk)
    return render(request, "staff/events_form.html", {"form": form})


@community_staff_required
def event_detail(request, pk: int):
    event = managed_event(request, pk)
    wishes = list(with_holders(event.wishes.order_by("pk")))
    fulfilled = event.fulfilled_at is not None
    context = {
        "event": event,
        "wishes": wishes,
        "moved_on": [wish for wish in wishes if wish.status != Status.CLAIMED and not fulfilled],
        "attendances": event.attendances.select_related("user", "added_by"),
        "sign_in_url": sign_in_url(request, event),
        "sign_in_state": event.sign_in_state(),
    }
    if fulfilled:
        context["photos"] = event.handed_over_photos()
    else:
        context["attach_form"] = AttachForm(event=event)
    context["attendee_form"] = AttendeeForm(event=event)
    return render(request, "staff/events_detail.html", context)


@require_POST
@community_staff_required
def attach(request, pk: int):
    event = managed_event(request, pk)
    form = AttachForm(request.POST, event=event)
    if not form.is_valid():
        for error in form.errors.get("wishes", []):
            messages.error(request, error)
        return redirect("staff:event", pk=event.pk)
    try:
        event.attach(form.cleaned_data["wishes"])
    except WishError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("已加入 %(n)d 个心愿。") % {"n": len(form.cleaned_data["wishes"])}
        )
    return redirect("staff:event", pk=event.pk)


@require_POST
@community_staff_required
def detach(request, pk: int, wish_pk: int):
    event = managed_event(request, pk)
    wish = get_object_or_404(event.wishes.all(), pk=wish_pk)
    try:
        event.detach(wish)
    except WishError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已把“%(title)s”移出活动。") % {"title": wish.title})
    return redirect("staff:event", pk=event.pk)


@require_POST
@community_staff_required
def add_attendee(request, pk: int):
    event = managed_event(request, pk)
    form = AttendeeForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, _("请选择一位在本社区报到的志愿者（已签到的不用再补签）。"))
        return redirect("staff:event", pk=event.pk)
    user = form.cleaned_data["user"]
    try:
        event.add_attendee(user, by=request.user)
    except WishError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已为%(name)s补签。") % {"name": user})
    return redirect("staff:event", pk=event.pk)


@require_POST
@community_staff_required
def remove_attendee(request, pk: int, attendance_pk: int):
    event = managed_event(request, pk)
    attendance = get_object_or_404(
        EventAttendance.objects.select_related("user"), pk=attendance_pk, event=event
    )
    event.remove_attendee(attendance, by=request.user)
    messages.success(request, _("已删除%(name)s的签到。") % {"name": attendance.user})
    return redirect("staff:event", pk=event.pk)


@community_staff_required
def qr_png(request, pk: int):
    """The sign-in page's address as a QR code, to show on a phone or print on the notice."""
    event = managed_event(request, pk)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(sign_in_url(request, event))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="event-{event.short_code}-qr.png"'
    # The code embeds this request's host: a proxy must not hand it to another host.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@community_staff_required
def bulk_fulfil(request, pk: int):
    event = managed_event(request, pk)
    if event.fulfilled_at:
        messages.info(request, _("这个活动已经集中兑现过了。"))
        return redirect("staff:event", pk=event.pk)
    wishes = list(with_holders(event.wishes.order_by("pk")))
    form = BulkFulfilForm(request.POST or None, request.FILES or None, wishes=wishes)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            done = event.fulfil_wishes(
                by=request.user,
                note=form.cleaned_data["note"],
                photos=form.cleaned_data["photos"],
                per_wish=form.per_wish(),
            )
        except WishError as error:
            form.add_error(None, str(error))
            status = STATUS_FOR_CODE.get(error.code, 400)
        else:
            messages.success(
                request,
                _("已集中兑现 %(n)d 个心愿，等待心愿人确认。") % {"n": len(done)},
            )
            return redirect("staff:event", pk=event.pk)
    if request.method == "POST" and request.FILES:
        # A browser cannot refill file inputs: say so plainly rather than drop them silently.
        messages.warning(
            request,
            _("请改正下面标出的问题。刚才选的照片没有保存，改好后请重新选择照片再提交。"),
        )
    return render(
        request,
        "staff/events_fulfil.html",
        {
            "event": event,
            "wishes": wishes,
            "moved_on": [wish for wish in wishes if wish.status != Status.CLAIMED],
            "form": form,
        },
        status=status,
    )
