"""/wall/: the 圆梦墙 (public), and staff's decisions about a story (from the staff wish page)."""

from django.urls import path

from .views import wall

urlpatterns = [
    path("wall/", wall.wall_list, name="wall"),
    path("wall/<int:pk>/", wall.story_page, name="wall_story"),
    path("wall/photos/<int:photo_pk>/", wall.photo, name="wall_photo"),
    path("staff/wishes/<int:pk>/wall/hide/", wall.hide, {"hidden": True}, name="wall_hide"),
    path("staff/wishes/<int:pk>/wall/show/", wall.hide, {"hidden": False}, name="wall_show"),
    path(
        "staff/wishes/<int:pk>/wall/feature/",
        wall.feature,
        {"featured": True},
        name="wall_feature",
    ),
    path(
        "staff/wishes/<int:pk>/wall/unfeature/",
        wall.feature,
        {"featured": False},
        name="wall_unfeature",
    ),
    path("staff/wishes/<int:pk>/wall/photos/", wall.choose_photos, name="wall_choose_photos"),
]
