from django.contrib import admin

from accounts.permissions import RoleScopedAdmin
from accounts.scoping import scope_of

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(RoleScopedAdmin):
    """Read only, for everyone: the record is never changed or deleted."""

    list_display = ["created_at", "actor", "action", "resident", "community", "how", "reason"]
    list_filter = ["action", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor__username", "actor__real_name", "subject", "reason"]
    list_select_related = ["actor", "resident", "community"]
    date_hierarchy = "created_at"

    def scope(self, queryset, user):
        return queryset.filter(scope_of(user).works_on_q("community", "grid"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
