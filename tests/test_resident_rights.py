"""A resident's rights (PIPL): staff hand over everything held, erase on request, and every
look at a resident's contact details is on record."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from accounts.models import StaffRole, User
from audit.models import AuditEntry
from tests.factories import GridFactory, ResidentFactory, UserFactory, WishFactory
from wishes.models import Wish, WishEvent, WishPhoto
from wishes.privacy import ERASED_NAME


def url(name, *args):
    return reverse(name, args=args)


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("home.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def person(community, resident):
    return resident.resident


@pytest.fixture
def fulfilled(community, person, staff, volunteer):
    wish = WishFactory(
        community=community,
        resident=person,
        staff=staff,
        claimer=volunteer,
        claimed=True,
        title="给孙丽家送米，电话13812345678",
    )
    wish.fulfil(by=volunteer, note="送到了孙丽家", photos=[png()])
    return wish


def test_staff_export_everything_held_about_a_resident_as_json(login, staff, person, fulfilled):
    response = login(staff).get(url("staff:resident_json", person.pk))
    data = json.loads(response.content)
    assert data["resident"]["phone"] == person.phone and data["wishes"][0]["id"] == fulfilled.pk
    assert {line["action"] for line in data["timeline"]} >= {"提交心愿", "报告兑现"}


def test_the_spreadsheet_export_has_a_sheet_per_kind_of_record(login, staff, person, fulfilled):
    response = login(staff).get(url("staff:resident_xlsx", person.pk))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["居民", "心愿", "进展记录", "照片", "认领", "回访", "访问记录"]
    assert workbook["居民"]["B4"].value == person.phone


def test_an_export_is_recorded(login, staff, person):
    login(staff).get(url("staff:resident_json", person.pk))
    assert AuditEntry.objects.filter(
        resident=person, actor=staff, action=AuditEntry.Action.RESIDENT_EXPORTED
    ).exists()


def test_staff_of_another_community_get_404_on_the_export(login, other_staff, person):
    assert login(other_staff).get(url("staff:resident_json", person.pk)).status_code == 404


def erase(client, person, reason="居民本人电话申请删除", confirmed="on"):
    return client.post(
        url("staff:resident_erase", person.pk), {"reason": reason, "confirmed": confirmed}
    )


def test_erasing_a_resident_clears_their_personal_fields(login, staff, person, fulfilled):
    erase(login(staff), person)
    person.refresh_from_db()
    assert (person.name, person.phone, person.address, person.situation_detail) == (
        ERASED_NAME,
        "",
        "",
        "",
    )


def test_erasing_keeps_the_statistics_and_an_anonymised_timeline(login, staff, person, fulfilled):
    erase(login(staff), person)
    wish = Wish.objects.get(pk=fulfilled.pk)
    assert wish.status == Wish.Status.FULFILLED and wish.community_id == person.community_id
    assert "13812345678" not in wish.title and "孙丽" not in wish.fulfil_note
    assert WishEvent.objects.filter(wish=wish).exclude(note="").count() == 0


def test_erasing_deletes_the_photos_and_their_files(
    login, staff, person, fulfilled, django_capture_on_commit_callbacks
):
    name = fulfilled.photos.get().image.name
    with django_capture_on_commit_callbacks(execute=True):
        erase(login(staff), person)
    assert not WishPhoto.objects.filter(wish=fulfilled).exists()
    assert not default_storage.exists(name)


def test_erasing_closes_a_login_that_only_served_the_resident(login, staff, person, resident):
    erase(login(staff), person)
    account = User.objects.get(pk=resident.pk)
    assert not account.is_active and account.phone is None and not account.has_usable_password()


def test_an_erasure_is_recorded_with_who_and_why(login, staff, person):
    erase(login(staff), person, reason="居民本人电话申请删除")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RESIDENT_ERASED)
    assert (entry.actor, entry.reason, entry.resident_id) == (
        staff,
        "居民本人电话申请删除",
        person.pk,
    )


def test_an_erasure_needs_a_reason_and_a_confirmation(login, staff, person):
    response = erase(login(staff), person, reason="", confirmed="")
    person.refresh_from_db()
    assert response.status_code == 400 and person.name != ERASED_NAME
    assert "请写明删除原因" in response.content.decode()


def test_a_grid_worker_may_export_but_not_erase(login, community, grid, person):
    person.grid = grid
    person.save()
    worker = UserFactory()
    StaffRole.objects.create(
        user=worker, role=StaffRole.Role.GRID_WORKER, community=community, grid=grid
    )
    client = login(worker)
    assert client.get(url("staff:resident_json", person.pk)).status_code == 200
    assert erase(client, person).status_code == 403


def test_get_on_erase_is_405(login, staff, person):
    assert login(staff).get(url("staff:resident_erase", person.pk)).status_code == 405


def test_staff_opening_the_residents_record_is_logged(login, staff, person):
    login(staff).get(url("staff:resident", person.pk))
    assert AuditEntry.objects.filter(
        resident=person, actor=staff, action=AuditEntry.Action.CONTACT_VIEWED
    ).exists()


def test_the_access_log_shows_who_looked_at_whose_contact(login, staff, volunteer, fulfilled):
    other = WishFactory(community=fulfilled.community, claimer=volunteer, claimed=True)
    login(volunteer).get(url("wishes:detail", other.pk))
    page = login(staff).get(url("staff:access_log")).content.decode()
    assert volunteer.display_name in page and other.resident.name in page


def test_the_access_log_of_another_community_is_not_shown(login, other_staff, volunteer, community):
    wish = WishFactory(community=community, claimer=volunteer, claimed=True)
    login(volunteer).get(url("wishes:detail", wish.pk))
    page = login(other_staff).get(url("staff:access_log")).content.decode()
    assert wish.resident.name not in page


def test_the_resident_search_shows_only_the_phones_last_digits(login, staff, community):
    person = ResidentFactory(community=community, name="王秀英", phone="13700001234")
    page = login(staff).get(url("staff:find_resident"), {"q": "王秀英"}).content.decode()
    assert "尾号1234" in page and person.phone not in page


def test_pages_for_a_logged_in_person_are_not_stored(login, resident):
    response = login(resident).get(url("wishes:home"))
    assert {"no-store", "private"} <= {
        part.strip() for part in response["Cache-Control"].split(",")
    }


def test_a_community_hides_a_category_from_its_residents(login, staff, resident, community):
    from tests.factories import CategoryFactory

    hidden = CategoryFactory(name="法律咨询")
    kept = CategoryFactory(name="生活物资")
    login(staff).post(url("staff:categories"), {"offered": [kept.pk]})
    page = login(resident).get(url("wishes:new")).content.decode()
    assert "生活物资" in page and "法律咨询" not in page
    assert community.hidden_categories.filter(pk=hidden.pk).exists()


def test_a_grid_is_required_for_a_grid_worker_and_checked_against_the_community(
    community, other_community
):
    from django.core.exceptions import ValidationError

    worker = UserFactory()
    role = StaffRole(
        user=worker,
        role=StaffRole.Role.GRID_WORKER,
        community=community,
        grid=GridFactory(community=other_community),
    )
    with pytest.raises(ValidationError):
        role.full_clean()
