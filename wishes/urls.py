from django.urls import path

from .views import events, public, resident, volunteer

app_name = "wishes"

urlpatterns = [
    path("", public.home, name="home"),
    path("wishes/", public.WishListView.as_view(), name="list"),
    path("wishes/<int:pk>/", public.wish_detail, name="detail"),
    path("wishes/<int:pk>/photos/<int:photo_pk>/", public.photo, name="photo"),
    path("photos/held/<uuid:key>/", public.held_photo, name="held_photo"),
    # 群众点单: residents
    path("wishes/new/", resident.wish_create, name="new"),
    path("wishes/mine/", resident.MyWishesView.as_view(), name="mine"),
    path("wishes/<int:pk>/edit/", resident.wish_edit, name="edit"),
    path("wishes/<int:pk>/withdraw/", resident.withdraw, name="withdraw"),
    path("wishes/<int:pk>/confirm/", resident.confirm, name="confirm"),
    # 党员接单: volunteers
    path("wishes/<int:pk>/claim/", volunteer.claim, name="claim"),
    path("claims/", volunteer.MyClaimsView.as_view(), name="claims"),
    path("wishes/<int:pk>/accept/", volunteer.accept, name="accept"),
    path("wishes/<int:pk>/decline/", volunteer.decline, name="decline"),
    path("wishes/<int:pk>/release/", volunteer.release, name="release"),
    path("wishes/<int:pk>/fulfil/", volunteer.fulfil, name="fulfil"),
    # 活动签到: volunteers at a hand-over event (集中兑现)
    path("events/", events.enter_code, name="event_code"),
    path("events/<str:code>/", events.sign_in, name="event"),
    path("events/<str:code>/photos/<int:photo_pk>/", events.photo, name="event_photo"),
    path("events/<str:code>/calendar.ics", events.calendar, name="event_calendar"),
]
