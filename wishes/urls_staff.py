"""/staff/: the community workbench, for staff only (see views/staff/base.py)."""

from django.urls import path

from .views.staff import (
    categories,
    community,
    core,
    dispatch,
    entry,
    events,
    overdue,
    publish,
    residents,
    review,
    spreadsheets,
    volunteers,
)

app_name = "staff"

urlpatterns = [
    path("", core.index, name="index"),
    path("review/", review.queue, name="review"),
    path("review/approve/", review.bulk_approve, name="bulk_approve"),
    path("wishes/", core.wish_list, name="wishes"),
    path("wishes/<int:pk>/", core.wish_page, name="wish"),
    path("wishes/<int:pk>/approve/", review.approve, name="approve"),
    path("wishes/<int:pk>/reject/", review.reject, name="reject"),
    path("wishes/<int:pk>/dispatch/", dispatch.dispatch, name="dispatch"),
    path("wishes/<int:pk>/close/", core.close, name="close"),
    path("wishes/<int:pk>/release/", core.release, name="release"),
    path("wishes/<int:pk>/remind/", core.remind, name="remind"),
    path("wishes/<int:pk>/confirm/", core.confirm, name="confirm"),
    path("wishes/<int:pk>/follow-ups/", core.follow_up, name="follow_up"),
    path("dispatch/", dispatch.queue, name="dispatch_queue"),
    path("overdue/", overdue.overdue, name="overdue"),
    path("enter/", entry.find_resident, name="find_resident"),
    path("enter/resident/", entry.new_resident, name="new_resident"),
    path("enter/<int:resident_pk>/", entry.enter_wish, name="enter_wish"),
    # -- 居民档案: a resident's record, a copy of everything held, erasure (PIPL) --
    path("residents/<int:pk>/", residents.resident_page, name="resident"),
    path("residents/<int:pk>/edit/", residents.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/export.json", residents.export_json, name="resident_json"),
    path("residents/<int:pk>/export.xlsx", residents.export_xlsx, name="resident_xlsx"),
    path("residents/<int:pk>/erase/", residents.erase, name="resident_erase"),
    path("residents/<int:pk>/password/", residents.reset_password, name="resident_password"),
    path("access-log/", residents.access_log, name="access_log"),
    path("categories/", categories.categories, name="categories"),
    path("community/", community.contact, name="community"),
    path("volunteers/", volunteers.volunteers, name="volunteers"),
    path(
        "volunteers/<int:pk>/approve/",
        volunteers.decide,
        {"approve": True},
        name="approve_volunteer",
    ),
    path(
        "volunteers/<int:pk>/refuse/",
        volunteers.decide,
        {"approve": False},
        name="refuse_volunteer",
    ),
    # -- publishing routes (心愿清单 text, QR, print) --
    path("publish/", publish.choose, name="publish_choose"),
    path("communities/<int:pk>/publish/", publish.publish, name="publish"),
    path("communities/<int:pk>/qr.png", publish.qr_png, name="publish_qr_png"),
    path("communities/<int:pk>/qr.svg", publish.qr_svg, name="publish_qr_svg"),
    path("communities/<int:pk>/print/", publish.print_list, name="publish_print"),
    # -- hand-over event routes (集中兑现) --
    path("events/", events.event_list, name="events"),
    path("events/new/", events.event_create, name="event_new"),
    path("events/<int:pk>/", events.event_detail, name="event"),
    path("events/<int:pk>/wishes/attach/", events.attach, name="event_attach"),
    path("events/<int:pk>/wishes/<int:wish_pk>/detach/", events.detach, name="event_detach"),
    path("events/<int:pk>/attendees/add/", events.add_attendee, name="event_attendee_add"),
    path(
        "events/<int:pk>/attendees/<int:attendance_pk>/remove/",
        events.remove_attendee,
        name="event_attendee_remove",
    ),
    path("events/<int:pk>/qr.png", events.qr_png, name="event_qr"),
    path("events/<int:pk>/fulfil/", events.bulk_fulfil, name="event_fulfil"),
    # -- spreadsheet routes (Excel import/export) --
    path("import/", spreadsheets.import_wishes, name="import"),
    path("import/template.xlsx", spreadsheets.import_template, name="import_template"),
    path("export/wishes.xlsx", spreadsheets.export_wishes, name="export_wishes"),
    path("export/volunteers.xlsx", spreadsheets.export_volunteers, name="export_volunteers"),
]
