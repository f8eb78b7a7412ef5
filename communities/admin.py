from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.permissions import RoleScopedAdmin
from wishes import policy

from .models import Community, Grid, Organisation, Street


class CommunityInline(admin.TabularInline):
    model = Community
    extra = 0
    fields = ["name", "address", "phone"]


class GridInline(admin.TabularInline):
    model = Grid
    extra = 0


@admin.register(Street)
class StreetAdmin(RoleScopedAdmin):
    list_display = ["name", "kind", "city", "community_count"]
    list_filter = ["kind", "city"]
    search_fields = ["name"]
    inlines = [CommunityInline]

    def scope(self, queryset, user):
        return queryset.filter(communities__in=policy.communities.worked_in(user)).distinct()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_communities=Count("communities"))

    @admin.display(description=_("社区数"), ordering="n_communities")
    def community_count(self, obj):
        return obj.n_communities


@admin.register(Community)
class CommunityAdmin(RoleScopedAdmin):
    list_display = ["name", "street", "phone", "grid_count"]
    list_filter = [("street", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "street__name", "address"]
    list_select_related = ["street"]
    inlines = [GridInline]

    def scope(self, queryset, user):
        return policy.communities.worked_in(user, queryset)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_grids=Count("grids"))

    @admin.display(description=_("网格数"), ordering="n_grids")
    def grid_count(self, obj):
        return obj.n_grids


@admin.register(Grid)
class GridAdmin(RoleScopedAdmin):
    list_display = ["name", "community"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "community__name"]
    list_select_related = ["community"]

    def scope(self, queryset, user):
        return queryset.filter(community__in=policy.communities.worked_in(user))


@admin.register(Organisation)
class OrganisationAdmin(RoleScopedAdmin):
    list_display = ["name", "kind", "contact_name", "contact_phone", "member_count"]
    list_filter = ["kind", ("communities", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "contact_name"]
    filter_horizontal = ["communities"]
    autocomplete_fields = ["liaisons"]

    def scope(self, queryset, user):
        """Organisations registered with the user's communities (the ones they dispatch to)."""
        return policy.organisations.listed_in_admin(user, queryset)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_members=Count("members"))

    @admin.display(description=_("成员数"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members
