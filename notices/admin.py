"""What people were told and how it reached them: for superusers (support and failures)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Delivery, Digest, Notice


class SuperuserOnly(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(SuperuserOnly):
    list_display = ["created_at", "user", "kind", "words", "mode", "read_at"]
    list_filter = ["kind", "mode", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__real_name", "text"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"

    @admin.display(description=_("内容"))
    def words(self, obj):
        return obj.render()


@admin.register(Delivery)
class DeliveryAdmin(SuperuserOnly):
    """Failed deliveries, with the error, are listed first with the status filter."""

    list_display = ["created_at", "channel", "address", "status", "attempts", "last_error"]
    list_filter = ["status", "channel"]
    search_fields = ["address", "last_error"]
    date_hierarchy = "created_at"
    actions = ["try_again"]

    @admin.action(description=_("重新发送所选"))
    def try_again(self, request, queryset):
        from .service import enqueue

        ids = list(queryset.exclude(status=Delivery.Status.SENT).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=ids).update(
            status=Delivery.Status.PENDING, next_attempt_at=None
        )
        enqueue(ids)
        self.message_user(request, _("已重新排队 %(n)d 条。") % {"n": len(ids)})


@admin.register(Digest)
class DigestAdmin(SuperuserOnly):
    list_display = ["day", "user", "created_at"]
    date_hierarchy = "day"
