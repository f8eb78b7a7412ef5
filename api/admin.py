from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Superusers (support) may see and revoke tokens; nobody makes one here — a token is
    shown only to its owner, once — and none is deleted."""

    list_display = [
        "name",
        "user",
        "scope",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = [
        "user",
        "name",
        "scope",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
    ]
    fields = [*readonly_fields, "revoked_at"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row says who had access until when

    def has_add_permission(self, request):
        return False
