from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("", views.organisations, name="organisations"),
    path("<int:pk>/", views.members, name="members"),
    path(
        "<int:pk>/members/<int:member_pk>/confirm/",
        views.decide,
        {"confirm": True},
        name="confirm_member",
    ),
    path(
        "<int:pk>/members/<int:member_pk>/refuse/",
        views.decide,
        {"confirm": False},
        name="refuse_member",
    ),
]
