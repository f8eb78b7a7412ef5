from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Resident, StaffRole, User, VolunteerProfile, VolunteerRegistration
from .permissions import RoleScopedAdmin, StaffReadOnlyInline


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    fields = ["role", "community", "grid", "street"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["real_name", "phone", "email"]}),
        (
            _("权限"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "real_name", "phone"]}),
        (None, {"classes": ["wide"], "fields": ["password1", "password2"]}),
    ]
    list_display = ["username", "real_name", "phone", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "staff_roles__role"]
    search_fields = ["username", "real_name", "phone"]
    date_hierarchy = "date_joined"
    inlines = [StaffRoleInline]
    actions = ["reset_two_factor"]

    @admin.action(description=_("重置两步验证（丢了手机时）"))
    def reset_two_factor(self, request, queryset):
        """Someone lost their phone and their backup codes: they set it up again at their
        next sign-in (staff must). Only superusers see users at all."""
        from audit.security import security_event

        from . import two_factor

        for user in queryset:
            two_factor.turn_off(user)
            security_event("2fa_reset", request=request, target_user_id=user.pk)
        self.message_user(
            request,
            _("已重置%(n)d个账号的两步验证，他们下次登录时重新设置。") % {"n": len(queryset)},
        )


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "community", "grid", "street", "created_at"]
    list_filter = ["role", "street", "community"]
    search_fields = ["user__username", "user__real_name"]
    list_select_related = ["user", "community", "grid", "street"]
    autocomplete_fields = ["user"]


@admin.register(Resident)
class ResidentAdmin(RoleScopedAdmin):
    staff_can_add = True
    staff_can_change = True
    list_display = ["name", "gender", "community", "grid", "situation", "phone_tail", "has_login"]
    list_filter = [
        "situation",
        ("community", admin.RelatedOnlyFieldListFilter),
        ("grid", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "phone", "address"]
    list_select_related = ["community", "grid", "user"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # Linking logins to residents is account administration, not community work.
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "user"]

    def scope(self, queryset, user):
        from wishes import policy

        return policy.residents.managed(user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from wishes import policy

        if not request.user.is_superuser and db_field.name == "community":
            kwargs["queryset"] = policy.communities.worked_in(request.user)
        if not request.user.is_superuser and db_field.name == "grid":
            kwargs["queryset"] = policy.communities.grids(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The change page shows the phone and address: who opened it is recorded.
        from audit.records import record_contact_view

        resident = self.get_object(request, object_id)
        if resident is not None and request.method == "GET":
            record_contact_view(request.user, resident, how="admin")
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("手机尾号"))
    def phone_tail(self, obj):
        # The list shows enough to tell two 王秀英 apart; the number itself is on the record.
        return f"…{obj.phone[-4:]}" if obj.phone else "-"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("有账号"), boolean=True)
    def has_login(self, obj):
        return obj.user_id is not None


class RegistrationInline(StaffReadOnlyInline):
    model = VolunteerRegistration
    fields = ["community", "status", "decided_by", "decided_at", "created_at"]


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(RoleScopedAdmin):
    list_display = [
        "user",
        "user_phone",
        "is_party_member",
        "organisation",
        "organisation_confirmed",
        "created_at",
    ]
    # Membership is decided by the actions below (for an organisation, by someone responsible
    # for it), each recorded; never by ticking a box.
    readonly_fields = [
        "organisation_confirmed",
        "organisation_confirmed_by",
        "organisation_confirmed_at",
    ]
    actions = ["confirm_membership", "refuse_membership"]
    list_filter = [
        "is_party_member",
        ("organisation", admin.RelatedOnlyFieldListFilter),
        ("registrations__community", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["user__username", "user__real_name", "user__phone"]
    list_select_related = ["user", "organisation"]
    raw_id_fields = ["user"]
    inlines = [RegistrationInline]

    def scope(self, queryset, user):
        from wishes import policy

        return policy.volunteers.profiles(user, queryset)

    @admin.display(description=_("手机号码"), ordering="user__phone")
    def user_phone(self, obj):
        return obj.user.phone

    def _decide(self, request, queryset, confirm: bool):
        from communities.membership import decide_membership

        done = 0
        for profile in queryset.filter(organisation__isnull=False, organisation_confirmed=False):
            done += decide_membership(profile, by=request.user, confirm=confirm)
        self.message_user(
            request,
            ngettext("已处理 %(n)d 位单位成员。", "已处理 %(n)d 位单位成员。", done) % {"n": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("确认所选志愿者是其所填单位的成员"))
    def confirm_membership(self, request, queryset):
        self._decide(request, queryset, confirm=True)

    @admin.action(description=_("不确认所选志愿者的单位身份"))
    def refuse_membership(self, request, queryset):
        self._decide(request, queryset, confirm=False)


@admin.register(VolunteerRegistration)
class VolunteerRegistrationAdmin(RoleScopedAdmin):
    staff_can_change = True
    list_display = ["volunteer", "community", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["volunteer__user__real_name", "volunteer__user__phone"]
    list_select_related = ["volunteer__user", "community", "decided_by"]
    date_hierarchy = "created_at"
    readonly_fields = ["volunteer", "community", "status", "decided_by", "decided_at"]
    actions = ["approve_selected", "refuse_selected"]

    def scope(self, queryset, user):
        from wishes import policy

        return policy.volunteers.registrations(user, queryset)

    def has_add_permission(self, request):
        # A 双报到 is the volunteer's own request, made on their profile page.
        return False

    def _decide(self, request, queryset, approve: bool):
        pending = queryset.filter(status=VolunteerRegistration.Status.PENDING)
        count = 0
        for registration in pending:
            count += registration.decide(by=request.user, approve=approve)
        self.message_user(
            request,
            ngettext("已处理 %(n)d 条报到申请。", "已处理 %(n)d 条报到申请。", count)
            % {"n": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("通过所选志愿者的报到"))
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("不通过所选志愿者的报到"))
    def refuse_selected(self, request, queryset):
        self._decide(request, queryset, approve=False)
