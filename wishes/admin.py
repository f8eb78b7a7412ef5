from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.permissions import RoleScopedAdmin, StaffReadOnlyInline
from communities.models import Grid

from . import policy
from .forms import DispatchForm, ReasonForm
from .lifecycle import WishError
from .models import (
    Category,
    Claim,
    EventAttendance,
    FollowUp,
    HandoverEvent,
    RejectionReason,
    Wish,
    WishEvent,
)


@admin.register(Category)
class CategoryAdmin(RoleScopedAdmin):
    """The city-wide catalogue: superusers edit it; staff read it and hide categories for their
    own community on the workbench (每个社区只管自己的)."""

    list_display = ["name", "name_en", "help_text", "order", "is_active"]
    # Editable in the list only with Django's change permission, which staff roles lack.
    list_editable = ["order", "is_active"]
    search_fields = ["name", "name_en"]
    fields = ["name", "help_text", "name_en", "help_text_en", "order", "is_active", "hidden_in"]
    filter_horizontal = ["hidden_in"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The help texts are sentences: room to read them whole while writing the English.
        if db_field.name in ("help_text", "help_text_en"):
            kwargs["widget"] = admin.widgets.AdminTextareaWidget(attrs={"rows": 2})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ClaimInline(StaffReadOnlyInline):
    model = Claim
    fields = [
        "state",
        "volunteer",
        "organisation",
        "dispatched_by",
        "due_date",
        "created_at",
        "accepted_at",
        "ended_at",
        "end_reason",
    ]


class WishEventInline(StaffReadOnlyInline):
    model = WishEvent
    verbose_name_plural = _("时间线")
    fields = ["created_at", "action_label", "from_status", "to_status", "actor", "note"]

    @admin.display(description=_("操作"))
    def action_label(self, obj):
        return obj.action_label


class GridOfPickedCommunityFilter(admin.RelatedOnlyFieldListFilter):
    """The grids the user's wishes are on — only those of the community picked in the
    community filter, once one is."""

    def field_choices(self, field, request, model_admin):
        choices = super().field_choices(field, request, model_admin)
        community = request.GET.get("community__id__exact", "")
        if not community.isdecimal() or len(community) > 18:
            return choices
        grids = set(Grid.objects.filter(community=community).values_list("pk", flat=True))
        return [(pk, label) for pk, label in choices if pk in grids]


@admin.register(Wish)
class WishAdmin(RoleScopedAdmin):
    staff_can_add = True
    staff_can_change = True
    # Few, short columns: on a 1280 px screen the whole table fits between the menu and the
    # filters, so no column hides behind a scroll bar (static/css/admin.css). Urgency is a
    # mark by the title (and a filter), the grid sits under its community, the date has no time.
    list_display = [
        "headline",
        "category",
        "status",
        "place",
        "resident",
        "submitted_on",
    ]
    # Related filters list only what the user's scoped queryset holds, not every community.
    list_filter = [
        "status",
        "priority",
        "kind",
        ("category", admin.RelatedOnlyFieldListFilter),
        "channel",
        "target_group",
        ("community", admin.RelatedOnlyFieldListFilter),
        ("grid", GridOfPickedCommunityFilter),
    ]
    search_fields = ["title", "description", "resident__name", "resident__phone"]
    list_select_related = ["category", "community", "grid", "resident"]
    date_hierarchy = "created_at"
    ordering = ["-priority", "created_at"]
    # Autocomplete searches through ResidentAdmin, which is scoped to the user's communities.
    autocomplete_fields = ["resident"]
    inlines = [ClaimInline, WishEventInline]
    fieldsets = [
        (
            None,
            {"fields": ["title", "description", "category", "kind", "priority", "target_group"]},
        ),
        (
            _("心愿人与来源"),
            {
                "fields": [
                    "community",
                    "grid",
                    "resident",
                    "channel",
                    "entered_by",
                    "public_consent",
                ]
            },
        ),
        (_("安排"), {"fields": ["estimated_value", "due_date", "delivery_note"]}),
    ]
    progress_fields = [
        "status",
        "reviewed_by",
        "reviewed_at",
        "reject_reason",
        "published_at",
        "claimed_at",
        "fulfilled_at",
        "fulfil_note",
        "confirmed_at",
        "thanks_note",
        "rating",
        "closed_at",
        "close_reason",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["entered_by", *progress_fields]
    actions = ["approve_selected", "reject_selected", "dispatch_selected", "close_selected"]

    class Media:
        css = {"all": ["css/admin.css"]}

    def scope(self, queryset, user):
        return policy.wishes.managed(user, queryset)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        # Show the progress a wish has made, not a column of empty dates.
        filled = [
            name
            for name in self.progress_fields
            if name == "status" or getattr(obj, name) not in (None, "")
        ]
        return [*self.fieldsets, (_("进度（只能通过操作改变）"), {"fields": filled})]

    @admin.display(description=_("心愿标题"), ordering="title")
    def headline(self, obj):
        if obj.is_urgent:
            return format_html('{} <span class="urgent-mark">{}</span>', obj.title, _("紧急"))
        return obj.title

    @admin.display(description=_("社区 · 网格"), ordering="community__name")
    def place(self, obj):
        if not obj.grid_id:
            return obj.community.name
        return format_html('{}<br><span class="quiet">{}</span>', obj.community.name, obj.grid.name)

    @admin.display(description=_("提交日期"), ordering="created_at")
    def submitted_on(self, obj):
        return formats.date_format(timezone.localtime(obj.created_at), "Y-m-d")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name == "community":
                kwargs["queryset"] = policy.communities.worked_in(request.user)
            elif db_field.name == "grid":
                kwargs["queryset"] = policy.communities.grids(request.user)
            elif db_field.name == "resident":
                kwargs["queryset"] = policy.residents.managed(request.user)
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return readonly
        # Who and where a wish is for is fixed once submitted; the details only while it waits
        # for review (after that, the volunteer may already be on the way).
        fixed = ["community", "resident", "channel"]
        if obj.status != Wish.Status.SUBMITTED:
            fixed += sorted(Wish.EDITABLE_FIELDS)
        return [*readonly, *(name for name in fixed if name not in readonly)]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
            obj.save_submitted(by=request.user)
            return
        # Through the life cycle's edit move: the row is locked, the state checked, and the
        # timeline says what changed. `obj` already holds the form's values; start from the row.
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in Wish.EDITABLE_FIELDS
        }
        if not changes:
            return
        try:
            Wish.objects.get(pk=obj.pk).edit(by=request.user, **changes)
        except WishError as error:
            self.message_user(request, str(error), messages.ERROR)
        obj.refresh_from_db()

    # ----- actions: each one calls the same life-cycle method as the web pages -------------

    def _apply(self, request, queryset, move, verb) -> None:
        done, refused = 0, []
        for wish in queryset:
            try:
                move(wish)
            except WishError as error:
                refused.append(f"“{wish.title}”：{error}")
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("已%(verb)s %(n)d 个心愿。", "已%(verb)s %(n)d 个心愿。", done)
                % {"verb": verb, "n": done},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    def _form_step(self, request, queryset, form, title, action):
        """Render the page between choosing wishes and applying a move that needs input."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/wishes/wish/action_form.html", context)

    @admin.action(description=_("审核通过所选心愿（发布到心愿清单）"))
    def approve_selected(self, request, queryset):
        self._apply(request, queryset, lambda w: w.approve(by=request.user), _("审核通过"))

    @admin.action(description=_("不予通过所选心愿…"))
    def reject_selected(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(
                request,
                queryset,
                lambda w: w.reject(by=request.user, reason=reason),
                _("不予通过"),
            )
            return None
        return self._form_step(request, queryset, form, _("不予通过：填写原因"), "reject_selected")

    @admin.action(description=_("关闭所选心愿（无法实现）…"))
    def close_selected(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(
                request, queryset, lambda w: w.close(by=request.user, reason=reason), _("关闭")
            )
            return None
        return self._form_step(request, queryset, form, _("关闭心愿：填写原因"), "close_selected")

    @admin.action(description=_("派单…"))
    def dispatch_selected(self, request, queryset):
        communities = queryset.values("community")
        form = DispatchForm(
            request.POST if "apply" in request.POST else None, communities=communities
        )
        if form.is_valid():
            data = form.cleaned_data

            def dispatch(wish):
                wish.dispatch(
                    by=request.user,
                    volunteer=data["volunteer"],
                    organisation=data["organisation"],
                    due_date=data["due_date"],
                    note=data["note"],
                )

            self._apply(request, queryset, dispatch, _("派单"))
            return None
        return self._form_step(
            request, queryset, form, _("派单：选择志愿者或单位"), "dispatch_selected"
        )


@admin.register(Claim)
class ClaimAdmin(RoleScopedAdmin):
    list_display = [
        "wish",
        "state",
        "volunteer",
        "organisation",
        "due_date",
        "created_at",
        "ended_at",
    ]
    list_filter = [
        "state",
        ("organisation", admin.RelatedOnlyFieldListFilter),
        ("wish__community", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["wish__title", "volunteer__real_name", "organisation__name"]
    list_select_related = ["wish", "volunteer", "organisation"]
    date_hierarchy = "created_at"

    def scope(self, queryset, user):
        return policy.claims.managed(user, queryset)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(WishEvent)
class WishEventAdmin(RoleScopedAdmin):
    list_display = [
        "created_at",
        "wish",
        "action_label",
        "from_status",
        "to_status",
        "actor",
        "note",
        "audience",
    ]
    list_filter = [
        "action",
        "to_status",
        "audience",
        ("wish__community", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["wish__title", "note", "actor__real_name"]
    list_select_related = ["wish", "actor"]
    date_hierarchy = "created_at"

    def scope(self, queryset, user):
        return policy.timeline.managed(user, queryset)

    @admin.display(description=_("操作"), ordering="action")
    def action_label(self, obj):
        return obj.action_label

    # The timeline is a record: nobody edits or deletes it, not even superusers.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventAttendanceInline(StaffReadOnlyInline):
    model = EventAttendance
    fields = ["user", "signed_in_at", "added_by"]


@admin.register(HandoverEvent)
class HandoverEventAdmin(RoleScopedAdmin):
    """Read here; events are run from the workbench, where attaching and fulfilling are checked."""

    list_display = [
        "title",
        "community",
        "starts_at",
        "place",
        "organiser",
        "short_code",
        "fulfilled_at",
    ]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter), "starts_at"]
    search_fields = ["title", "place", "short_code", "organiser__name"]
    list_select_related = ["community", "organiser"]
    date_hierarchy = "starts_at"
    # Wishes join and leave through the workbench only (claimed wishes of the community),
    # and fulfilment goes through Wish.fulfil: neither is edited here, not even by superusers.
    readonly_fields = [
        "short_code",
        "wishes",
        "created_by",
        "created_at",
        "fulfilled_at",
        "fulfilled_by",
        "fulfil_note",
    ]
    inlines = [EventAttendanceInline]

    def scope(self, queryset, user):
        return policy.events.managed(user, queryset)


@admin.register(EventAttendance)
class EventAttendanceAdmin(RoleScopedAdmin):
    list_display = ["event", "user", "signed_in_at", "added_by"]
    list_filter = [("event__community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["event__title", "user__real_name", "user__username"]
    list_select_related = ["event", "user", "added_by"]

    def scope(self, queryset, user):
        return policy.events.attendances_managed(user, queryset)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Deleting goes through the event, as on the workbench: no attendance, no hours.
    def delete_model(self, request, obj):
        obj.event.remove_attendee(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for attendance in queryset.select_related("event"):
            attendance.event.remove_attendee(attendance, by=request.user)


@admin.register(RejectionReason)
class RejectionReasonAdmin(RoleScopedAdmin):
    """A community's reusable reasons; its staff keep the list tidy."""

    staff_can_add = True
    staff_can_change = True
    staff_can_delete = True
    list_display = ["text", "community", "order"]
    list_editable = ["order"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["text"]

    def scope(self, queryset, user):
        return queryset.filter(community__in=policy.communities.worked_in(user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community" and not request.user.is_superuser:
            kwargs["queryset"] = policy.communities.worked_in(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(FollowUp)
class FollowUpAdmin(RoleScopedAdmin):
    list_display = ["wish", "visited_on", "method", "satisfaction", "visited_by"]
    list_filter = ["method", "satisfaction", ("wish__community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["wish__title", "note"]
    list_select_related = ["wish", "visited_by"]
    date_hierarchy = "visited_on"
    readonly_fields = ["wish", "visited_by", "created_at"]

    def scope(self, queryset, user):
        return policy.follow_ups.managed(user, queryset)

    def has_add_permission(self, request):
        # Follow-ups are recorded on the wish's workbench page, where the rules are checked.
        return False
