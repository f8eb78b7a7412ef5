"""Role-based access for the Django admin: staff see and change only their own communities."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest


def is_staff_user(request: HttpRequest) -> bool:
    """Holds a staff role that reaches some grid (accounts/scoping.py)."""
    from .scoping import scope_of

    return scope_of(request.user).is_staff


class RoleScopedAdmin(admin.ModelAdmin):
    """Superusers keep Django's permissions; community staff get what the flags below allow.

    `scope(queryset, user)` narrows every list, change page and action to what the access
    policy (wishes/policy.py) lets the user see, so anything else is simply not found.
    """

    staff_can_add = False
    staff_can_change = False
    staff_can_delete = False

    def scope(self, queryset: QuerySet, user) -> QuerySet:
        return queryset

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return self.scope(queryset, request.user)

    # Someone else's record is a 404, as on the workbench, not Django's "may have been
    # deleted" redirect that tells an outsider the number is in use.
    def _found_or_404(self, request, object_id) -> None:
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._found_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._found_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._found_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_staff_user(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_staff_user(request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) or (
            self.staff_can_add and is_staff_user(request)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or (
            self.staff_can_change and is_staff_user(request)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or (
            self.staff_can_delete and is_staff_user(request)
        )


class StaffReadOnlyInline(admin.TabularInline):
    """A record shown on its parent's page: staff may read it, nobody adds or edits it here."""

    extra = 0
    can_delete = False
    classes = ["record-inline"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_view_permission(self, request, obj=None):
        # Community staff have no Django model permissions; they still need to see the record.
        return super().has_view_permission(request, obj) or is_staff_user(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
