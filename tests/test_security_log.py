"""Security events land in the "microwish.security" log as one JSON line each: logins and their
failures (and the pause after wrong passwords), logouts, password changes, refusals and exports
of personal data — never a password, never a resident's personal data."""

import datetime
import io
import json
import logging

import pytest
from django.conf import settings
from django.urls import reverse

import config.settings as real_settings
from audit.models import AuditEntry
from audit.security import security_event
from tests.factories import PASSWORD, WishFactory

LOGGER = "microwish.security"


@pytest.fixture
def events(caplog):
    """The security events logged so far, parsed; `events()` or `events("login")`."""
    caplog.set_level(logging.INFO, logger=LOGGER)

    def _events(name=None):
        lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == LOGGER]
        return [line for line in lines if name is None or line["event"] == name]

    return _events


@pytest.fixture
def raw_lines(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    return lambda: "\n".join(r.getMessage() for r in caplog.records if r.name == LOGGER)


def url(name, *args):
    return reverse(name, args=args)


def log_in(client, username, password=PASSWORD):
    return client.post(url("accounts:login"), {"username": username, "password": password})


# ----- the line --------------------------------------------------------------------------------


def test_an_event_is_one_json_line_with_who_when_and_where(events, rf, staff):
    request = rf.post("/staff/wishes/?q=王志强", REMOTE_ADDR="203.0.113.9")
    request.user = staff
    security_event("something_happened", request=request, outcome="success", wishes=3)
    (line,) = events()
    assert line == {
        "event": "something_happened",
        "at": line["at"],
        "user_id": staff.pk,
        "username": "staff_fuyang",
        "ip": "203.0.113.9",
        "method": "POST",
        "path": "/staff/wishes/",
        "outcome": "success",
        "wishes": 3,
    }
    assert datetime.datetime.fromisoformat(line["at"]).utcoffset() == datetime.timedelta(hours=8)


def test_the_line_never_carries_a_password_or_other_secret(raw_lines, staff):
    security_event("odd_call", user=staff, password="hunter2-secret", session_key="abc123xyz")
    assert "hunter2-secret" not in raw_lines() and "abc123xyz" not in raw_lines()


def test_a_username_that_is_a_phone_number_is_left_out(events, resident):
    resident.username = "13812345678"
    security_event("odd_call", user=resident)
    (line,) = events()
    assert line["user_id"] == resident.pk and "username" not in line


def test_the_forwarded_for_header_is_kept_when_there_is_one(events, rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="10.0.0.2")
    security_event("odd_call", request=request)
    assert (events()[0]["ip"], events()[0]["forwarded_for"]) == ("10.0.0.2", "198.51.100.7")


def test_failures_are_warnings_and_successes_information(caplog, events, staff):
    security_event("login", user=staff, outcome="success")
    security_event("login_failed", outcome="failure")
    levels = [r.levelno for r in caplog.records if r.name == LOGGER]
    assert levels == [logging.INFO, logging.WARNING]


# ----- logins ----------------------------------------------------------------------------------


def test_a_login_is_logged(client, events, staff):
    log_in(client, "staff_fuyang")
    (line,) = events("login")
    assert (line["user_id"], line["outcome"], line["path"]) == (
        staff.pk,
        "success",
        url("accounts:login"),
    )


def test_a_wrong_password_is_logged_without_what_was_typed(client, events, raw_lines, staff):
    log_in(client, "staff_fuyang", password="wrong-password-1")
    (line,) = events("login_failed")
    assert (line["account"], line["outcome"], line["throttled"], line["failures"]) == (
        staff.pk,
        "failure",
        False,
        1,
    )
    assert "wrong-password-1" not in raw_lines()


def test_a_failed_login_for_no_such_account_names_nobody(db, client, events, raw_lines):
    log_in(client, "13900001111", password="wrong-password-1")
    assert events("login_failed")[0]["account"] is None
    assert "13900001111" not in raw_lines()


def test_the_failure_that_starts_the_pause_says_so(client, events, staff):
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(client, "staff_fuyang", password="wrong-password-1")
    failures = events("login_failed")
    assert [line["pauses_account"] for line in failures] == [False] * (
        settings.LOGIN_FAILURE_LIMIT - 1
    ) + [True]


def test_a_login_refused_by_the_pause_is_logged_as_blocked(client, events, staff):
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(client, "staff_fuyang", password="wrong-password-1")
    log_in(client, "staff_fuyang")  # the right password, but paused
    last = events("login_failed")[-1]
    assert (last["outcome"], last["throttled"], last["account"]) == ("blocked", True, staff.pk)
    assert not events("login")


def test_the_admin_login_is_logged_too(client, events, superuser):
    client.post(url("admin:login"), {"username": "admin", "password": "wrong-password-1"})
    assert events("login_failed")[0]["path"] == url("admin:login")


def test_a_logout_is_logged(login, events, volunteer):
    login(volunteer).post(url("accounts:logout"))
    assert events("logout")[0]["user_id"] == volunteer.pk


def test_a_password_change_is_logged(login, events, raw_lines, volunteer):
    response = login(volunteer).post(
        url("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    (line,) = events("password_changed")
    assert (line["user_id"], line["path"]) == (volunteer.pk, url("accounts:password_change"))
    assert "a-new-long-passphrase-42" not in raw_lines()


def test_a_new_account_or_a_plain_save_is_no_password_change(events, volunteer):
    volunteer.real_name = "李红"
    volunteer.save()
    assert not events("password_changed")


# ----- refusals --------------------------------------------------------------------------------


def test_a_403_is_logged_with_the_view(login, events, volunteer):
    response = login(volunteer).get(url("staff:index"))
    assert response.status_code == 403
    (line,) = events("permission_denied")
    assert (line["user_id"], line["view"], line["status"]) == (volunteer.pk, "staff:index", 403)


def test_the_403_page_is_still_the_sites(login, volunteer):
    response = login(volunteer).get(url("staff:index"))
    assert "403.html" in [template.name for template in response.templates]


def test_a_refused_move_is_logged(login, events, community, staff, pending_volunteer):
    wish = WishFactory(community=community, staff=staff, approved=True)
    response = login(pending_volunteer).post(url("wishes:claim", wish.pk))
    assert response.status_code == 403
    line = events("permission_denied")[0]
    assert (line["view"], line["wish"]) == ("wishes:claim", wish.pk)


# ----- personal data leaving the site ---------------------------------------------------------


@pytest.fixture
def person(resident):
    return resident.resident


def test_exporting_everything_about_a_resident_is_logged(
    login, events, raw_lines, staff, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(staff).get(url("staff:resident_json", person.pk))
    (line,) = events("personal_data_exported")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RESIDENT_EXPORTED)
    assert (line["user_id"], line["audit_entry"], line["how"], line["residents"]) == (
        staff.pk,
        entry.pk,
        "json",
        1,
    )
    assert person.name not in raw_lines() and person.phone not in raw_lines()


def test_exporting_the_wishes_with_contact_details_is_logged(
    login, events, community, staff, person, django_capture_on_commit_callbacks
):
    WishFactory(community=community, resident=person)
    with django_capture_on_commit_callbacks(execute=True):
        login(staff).get(url("staff:export_wishes"))
    line = events("personal_data_exported")[0]
    assert (line["action"], line["residents"], line["path"]) == (
        "contact_exported",
        1,
        url("staff:export_wishes"),
    )


def test_exporting_volunteers_is_logged(login, events, staff, volunteer):
    login(staff).get(url("staff:export_volunteers"))
    line = events("personal_data_exported")[0]
    assert (line["action"], line["volunteers"]) == ("volunteers_exported", 1)


def test_an_erasure_is_logged_once_done(
    login, events, raw_lines, staff, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(staff).post(
            url("staff:resident_erase", person.pk),
            {"reason": "居民本人电话申请删除", "confirmed": "on"},
        )
    (line,) = events("resident_erased")
    assert line["user_id"] == staff.pk and "居民本人电话申请删除" not in raw_lines()


# ----- where the lines go in production ----------------------------------------------------


def test_production_sends_the_lines_as_they_are_to_the_console():
    logger = real_settings.LOGGING["loggers"][LOGGER]
    handler = real_settings.LOGGING["handlers"][logger["handlers"][0]]
    formatter = real_settings.LOGGING["formatters"][handler["formatter"]]
    assert (logger["level"], logger["propagate"]) == ("INFO", False)
    assert handler["class"] == "logging.StreamHandler" and handler["stream"] == "ext://sys.stdout"
    stream = io.StringIO()
    out = logging.StreamHandler(stream)
    out.setFormatter(logging.Formatter(formatter["format"]))
    out.handle(logging.makeLogRecord({"msg": '{"event": "login"}'}))
    assert json.loads(stream.getvalue()) == {"event": "login"}
