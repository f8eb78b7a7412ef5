from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("read/", views.mark_all_read, name="read_all"),
    path("settings/", views.preferences, name="settings"),
    path("<int:pk>/", views.open_notice, name="open"),
    path("<int:pk>/read/", views.mark_read, name="read"),
]
