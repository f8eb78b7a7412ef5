"""A wish is sent once: the same form twice makes one wish; a look-alike of an open wish is
questioned first; a photo chosen before a mistake is kept for the next try."""

import datetime
import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.factories import CategoryFactory, WishFactory
from wishes import submission
from wishes.models import HeldPhoto, Wish
from wishes.upkeep import sweep

pytestmark = pytest.mark.django_db


def photo(color="red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, "JPEG")
    return SimpleUploadedFile("门口.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def rice(db):
    return CategoryFactory(name="生活物资")


def key_of(response) -> str:
    return re.search(r'name="submission_key" value="([0-9a-f-]+)"', response.content.decode())[1]


def form_data(rice, **more):
    data = {
        "category": rice.pk,
        "title": "一袋大米和一桶油",
        "description": "家里米面油快吃完了。",
        "kind": "individual",
        "target_group": "",
    }
    return {**data, **more}


# ----- the one-time key --------------------------------------------------------------------------


def test_sending_the_same_form_twice_makes_one_wish(login, resident, rice):
    client = login(resident)
    key = key_of(client.get(reverse("wishes:new")))
    first = client.post(reverse("wishes:new"), form_data(rice, submission_key=key))
    again = client.post(reverse("wishes:new"), form_data(rice, submission_key=key), follow=True)
    assert first.status_code == 302
    assert Wish.objects.filter(resident=resident.resident).count() == 1
    assert "刚才已经提交过了" in again.content.decode()


def test_each_blank_form_has_its_own_key(login, resident):
    client = login(resident)
    assert key_of(client.get(reverse("wishes:new"))) != key_of(client.get(reverse("wishes:new")))


def test_two_requests_with_one_key_at_the_same_moment_make_one_wish(
    login, resident, rice, monkeypatch
):
    """The second request passed the "sent before?" check before the first one saved."""
    client = login(resident)
    key = str(uuid.uuid4())
    real = submission.sent_before
    calls = {"n": 0}

    def not_yet_then_real(request):
        calls["n"] += 1
        if calls["n"] == 1:  # the first look, before the other request saved
            other = WishFactory(community=resident.resident.community, resident=resident.resident)
            Wish.objects.filter(pk=other.pk).update(
                submission_key=key, entered_by=resident, title="一袋大米和一桶油"
            )
            return None
        return real(request)

    monkeypatch.setattr(submission, "sent_before", not_yet_then_real)
    response = client.post(
        reverse("wishes:new"), form_data(rice, submission_key=key, go_on="1"), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("wishes:mine")
    assert "刚才已经提交过了" in response.content.decode()
    assert Wish.objects.filter(submission_key=key).count() == 1


def test_another_persons_key_is_not_theirs(login, resident, other_resident, rice):
    key = str(uuid.uuid4())
    login(other_resident).post(reverse("wishes:new"), form_data(rice, submission_key=key))
    client = login(resident)
    response = client.post(reverse("wishes:new"), form_data(rice, submission_key=key))
    assert response.status_code == 302
    assert Wish.objects.filter(resident=resident.resident).count() == 1
    assert Wish.objects.get(resident=resident.resident).submission_key is None


def test_staff_entering_a_wish_twice_from_one_form_make_one(login, staff, community, rice):
    from tests.factories import ResidentFactory

    person = ResidentFactory(community=community)
    client = login(staff)
    url = reverse("staff:enter_wish", args=[person.pk])
    key = key_of(client.get(url))
    data = form_data(rice, channel="visit", priority="normal", submission_key=key)
    data["public_consent"] = ""
    first = client.post(url, data)
    again = client.post(url, data)
    assert first.status_code == 302 and again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Wish.objects.filter(resident=person).count() == 1


def test_the_form_says_it_is_sending_and_sends_once(login, resident):
    page = login(resident).get(reverse("wishes:new")).content.decode()
    assert "data-submit-once" in page
    assert "js/forms.js" in page


# ----- a look-alike of an open wish ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "now", "alike"),
    [
        ("一袋大米和一桶油", "一袋大米和一桶油。", True),
        ("轮椅一辆", "轮椅 一辆", True),
        ("Rice and oil", "rice and oil!", True),
        ("一袋大米和一桶油", "一桶油和一袋大米", False),
        ("大米", "一袋大米和一桶油", False),
        ("新书包", "修好楼道灯", False),
    ],
)
def test_what_counts_as_nearly_the_same_title(resident, rice, earlier, now, alike):
    wish = WishFactory(
        community=resident.resident.community, resident=resident.resident, category=rice
    )
    Wish.objects.filter(pk=wish.pk).update(title=earlier)
    found = submission.similar_open_wish(resident.resident.pk, rice.pk, now)
    assert (found == wish) is alike


def test_only_open_wishes_of_the_same_resident_and_category_count(resident, other_resident, rice):
    me = resident.resident
    WishFactory(community=me.community, resident=me, category=rice, confirmed=True)
    WishFactory(community=me.community, resident=other_resident.resident, category=rice)
    WishFactory(community=me.community, resident=me, category=CategoryFactory(name="助残"))
    for wish in Wish.objects.all():
        Wish.objects.filter(pk=wish.pk).update(title="一袋大米和一桶油")
    assert submission.similar_open_wish(me.pk, rice.pk, "一袋大米和一桶油") is None


def test_a_resident_is_asked_before_a_second_look_alike_and_may_go_on(login, resident, rice):
    me = resident.resident
    existing = WishFactory(community=me.community, resident=me, category=rice, approved=True)
    Wish.objects.filter(pk=existing.pk).update(title="一袋大米和一桶油")
    client = login(resident)
    response = client.post(reverse("wishes:new"), form_data(rice, title="一袋大米和一桶油！"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "已经有一个相似的心愿还没有完成" in page
    assert reverse("wishes:detail", args=[existing.pk]) in page
    assert 'name="go_on"' in page
    assert 'value="一袋大米和一桶油！"' in page  # what they typed is kept
    assert page.count("已经有一个相似的心愿还没有完成") == 1
    assert Wish.objects.filter(resident=me).count() == 1
    response = client.post(
        reverse("wishes:new"), form_data(rice, title="一袋大米和一桶油！", go_on="1")
    )
    assert response.status_code == 302
    assert Wish.objects.filter(resident=me).count() == 2


def test_staff_are_asked_too_and_led_to_the_workbench_page(login, staff, community, rice):
    from tests.factories import ResidentFactory

    person = ResidentFactory(community=community)
    existing = WishFactory(community=community, resident=person, category=rice)
    Wish.objects.filter(pk=existing.pk).update(title="一袋大米和一桶油")
    url = reverse("staff:enter_wish", args=[person.pk])
    data = form_data(rice, channel="phone", priority="normal")
    page = login(staff).post(url, data).content.decode()
    assert "已经有一个相似的心愿还没有完成" in page
    assert reverse("staff:wish", args=[existing.pk]) in page


# ----- a photo chosen before a mistake ------------------------------------------------------------


def test_a_photo_chosen_before_a_mistake_is_kept_and_goes_with_the_next_try(login, resident, rice):
    client = login(resident)
    response = client.post(
        reverse("wishes:new"), {**form_data(rice, category=""), "photo": photo("blue")}
    )
    assert response.status_code == 200
    held = HeldPhoto.objects.get(owner=resident)
    page = response.content.decode()
    assert reverse("wishes:held_photo", args=[held.key]) in page
    assert f'name="held_photos" value="{held.key}" checked' in page
    response = client.post(reverse("wishes:new"), form_data(rice, held_photos=str(held.key)))
    assert response.status_code == 302
    wish = Wish.objects.get(resident=resident.resident)
    assert wish.photos.count() == 1
    assert not HeldPhoto.objects.exists()


def test_an_unticked_held_photo_is_left_out(login, resident, rice):
    client = login(resident)
    client.post(reverse("wishes:new"), {**form_data(rice, title=""), "photo": photo()})
    assert HeldPhoto.objects.count() == 1
    client.post(reverse("wishes:new"), form_data(rice))
    assert Wish.objects.get(resident=resident.resident).photos.count() == 0


def test_held_photos_are_their_owners_alone(login, resident, other_resident, volunteer):
    held = HeldPhoto.objects.create(owner=resident, image=photo())
    url = reverse("wishes:held_photo", args=[held.key])
    assert login(resident).get(url).status_code == 200
    assert login(other_resident).get(url).status_code == 404


def test_another_persons_held_photo_cannot_be_attached(login, resident, other_resident, rice):
    held = HeldPhoto.objects.create(owner=resident, image=photo())
    login(other_resident).post(reverse("wishes:new"), form_data(rice, held_photos=str(held.key)))
    wish = Wish.objects.get(resident=other_resident.resident)
    assert wish.photos.count() == 0
    assert HeldPhoto.objects.filter(pk=held.pk).exists()


def test_the_fulfilment_report_keeps_its_photos_too(login, volunteer, community):
    wish = WishFactory(community=community, claimer=volunteer, claimed=True)
    client = login(volunteer)
    url = reverse("wishes:fulfil", args=[wish.pk])
    response = client.post(url, {"note": "", "photos": [photo("red"), photo("green")]})
    assert response.status_code == 200
    keys = [str(held.key) for held in HeldPhoto.objects.filter(owner=volunteer)]
    assert len(keys) == 2
    response = client.post(url, {"note": "送到了", "held_photos": keys})
    assert response.status_code == 302
    assert wish.photos.filter(kind="fulfilment").count() == 2


def test_the_sweep_removes_held_photos_after_a_day(resident):
    old = HeldPhoto.objects.create(owner=resident, image=photo())
    HeldPhoto.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    fresh = HeldPhoto.objects.create(owner=resident, image=photo())
    assert sweep().held_photos_removed == 1
    assert list(HeldPhoto.objects.all()) == [fresh]


def test_the_same_form_filled_in_anew_is_a_new_wish(login, resident, rice):
    """A browser may keep the sent form; typing another wish into it and sending is no repeat."""
    client = login(resident)
    key = key_of(client.get(reverse("wishes:new")))
    client.post(reverse("wishes:new"), form_data(rice, submission_key=key))
    response = client.post(
        reverse("wishes:new"), form_data(rice, submission_key=key, title="修好楼道灯")
    )
    assert response.status_code == 302
    titles = set(Wish.objects.filter(resident=resident.resident).values_list("title", flat=True))
    assert titles == {"一袋大米和一桶油", "修好楼道灯"}
