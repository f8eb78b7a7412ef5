from django.urls import path

from .views import stats

urlpatterns = [
    path("stats/", stats.stats, name="stats"),
    path("stats/export.xlsx", stats.stats_export, name="stats_export"),
    path("stats/honour/", stats.honour, name="honour"),
    path("stats/organisations/<int:pk>/", stats.organisation_page, name="organisation"),
    path("staff/stats/", stats.staff_stats, name="staff_stats"),
    path("staff/stats/export.xlsx", stats.staff_stats_export, name="staff_stats_export"),
]
