"""志愿服务时长: a volunteer's record and certificate, hours for a fulfilled wish, and the
workbench queue (under /staff/, in the outcomes namespace)."""

from django.urls import path

from .views import hours

urlpatterns = [
    path("volunteering/", hours.volunteering, name="volunteering"),
    path(
        "volunteering/certificate/<int:pk>/",
        hours.certificate,
        name="service_certificate",
    ),
    path("wishes/<int:pk>/hours/", hours.enter, name="hours_enter"),
    path("staff/hours/", hours.queue, name="hours_queue"),
    path("staff/hours/<int:pk>/approve/", hours.approve, name="hours_approve"),
    path("staff/hours/<int:pk>/reject/", hours.reject, name="hours_reject"),
    path(
        "staff/volunteers/<int:pk>/service/",
        hours.volunteer_service,
        name="volunteer_service",
    ),
]
