"""圆梦墙 (/wall/): stories of fulfilled wishes whose residents consented, told without anything
that identifies the resident; staff hide, feature and illustrate them from the staff wish page."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.models import Resident, VolunteerProfile
from outcomes.models import WallStory
from tests.factories import (
    PASSWORD,
    CommunityFactory,
    ResidentFactory,
    StreetFactory,
    UserFactory,
    WishFactory,
    make_staff,
    make_volunteer,
)
from wishes.lifecycle import Status
from wishes.models import Wish, WishPhoto
from wishes.policy import wall

VALID_ID = "11010519491231002X"


def png(color: str = "red") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), color).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def as_user(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def text(response) -> str:
    return response.content.decode()


def set_credit(user, credit: str) -> None:
    VolunteerProfile.objects.filter(user=user).update(wall_credit=credit)


def fulfilled_wish(community, *, by, staff, confirm=False, photos=(), **fields) -> Wish:
    """A wish taken through approve → claim → fulfil (→ confirm), as the app does it."""
    fields.setdefault("public_consent", True)
    organisation = fields.pop("organisation", None)
    wish = WishFactory(community=community, staff=staff, approved=True, **fields)
    wish.claim(by=by, organisation=organisation)
    wish.fulfil(by=by, note="已送到家中", photos=list(photos))
    if confirm:
        wish.confirm(by=staff, thanks="谢谢党员同志", rating=5)
    return wish


@pytest.fixture
def helper(community):
    """The volunteer who made the wishes come true; real name 李红梅, username a phone number."""
    return make_volunteer(community, username="13611112222", real_name="李红梅")


@pytest.fixture
def sima(community):
    """A resident with details that must never reach the wall."""
    return ResidentFactory(
        community=community,
        name="司马光明",
        gender=Resident.Gender.MALE,
        phone="13912345678",
        address="幸福里7号楼2单元501室",
        situation=Resident.Situation.SERIOUSLY_ILL,
        situation_detail="肺癌晚期，需要长期吸氧",
    )


@pytest.fixture
def story(community, staff, helper, sima):
    """司马光明's consented wish, fulfilled with a photo and confirmed with thanks."""
    wish = WishFactory(
        community=community,
        resident=sima,
        staff=staff,
        approved=True,
        public_consent=True,
        target_group=Wish.TargetGroup.ILL,
        title="一台制氧机，电话13812345678",
        description="肺癌晚期在家吸氧，制氧机坏了。",
    )
    wish.claim(by=helper)
    wish.fulfil(by=helper, note="制氧机已送到，售后请打13812345678", photos=[png("green")])
    wish.confirm(by=staff, thanks=f"谢谢！身份证{VALID_ID}的老司马", rating=5)
    return wish


@pytest.fixture
def delivery_photo(story):
    return story.photos.get(kind=WishPhoto.Kind.FULFILMENT)


@pytest.fixture
def request_photo(story):
    return WishPhoto.objects.create(wish=story, image=png("blue"), kind=WishPhoto.Kind.REQUEST)


def choose(wish, *photos, **fields) -> WallStory:
    record, _created = WallStory.objects.update_or_create(wish=wish, defaults=fields)
    record.photos.set(photos)
    return record


# ----- which stories are on the wall ----------------------------------------------------------


def test_only_consented_fulfilled_or_confirmed_individual_wishes_are_on_the_wall(
    community, staff, helper
):
    fulfilled = fulfilled_wish(community, by=helper, staff=staff, title="已兑现的书包")
    confirmed = fulfilled_wish(community, by=helper, staff=staff, confirm=True, title="已确认的米")
    fulfilled_wish(community, by=helper, staff=staff, public_consent=False, title="不公开的轮椅")
    WishFactory(community=community, staff=staff, claimer=helper, claimed=True, title="认领中的油")
    collective = fulfilled_wish(community, by=helper, staff=staff, title="楼道灯维修")
    Wish.objects.filter(pk=collective.pk).update(kind=Wish.Kind.COLLECTIVE, resident=None)

    page = text(Client().get(url("outcomes:wall")))
    assert set(wall.stories()) == {fulfilled, confirmed}
    assert "已兑现的书包" in page and "已确认的米" in page
    assert not [t for t in ("不公开的轮椅", "认领中的油", "楼道灯维修") if t in page]


def test_a_hidden_story_is_neither_on_the_wall_nor_on_its_own_page(story):
    choose(story, hidden=True)
    assert "一台制氧机" not in text(Client().get(url("outcomes:wall")))
    assert Client().get(url("outcomes:wall_story", story.pk)).status_code == 404


def test_a_wish_without_consent_has_no_story_page(community, staff, helper):
    private = fulfilled_wish(community, by=helper, staff=staff, public_consent=False)
    assert Client().get(url("outcomes:wall_story", private.pk)).status_code == 404


def test_featured_stories_come_first_then_the_most_recently_fulfilled(community, staff, helper):
    made = {}
    for day, title in ((1, "最早的"), (2, "中间的"), (3, "最新的")):
        with time_machine.travel(datetime.datetime(2026, 5, day, 10, tzinfo=datetime.UTC)):
            made[title] = fulfilled_wish(community, by=helper, staff=staff, title=title)
    choose(made["最早的"], featured=True)
    stories = Client().get(url("outcomes:wall")).context["stories"]
    assert [s.title for s in stories] == ["最早的", "最新的", "中间的"]


def test_the_wall_shows_twelve_stories_a_page(community, staff, helper):
    for n in range(13):
        fulfilled_wish(community, by=helper, staff=staff, title=f"第{n}个心愿")
    first = Client().get(url("outcomes:wall"))
    second = Client().get(url("outcomes:wall") + "?page=2")
    assert len(first.context["stories"]) == 12 and len(second.context["stories"]) == 1


def test_the_wall_filters_by_community_and_by_street(community, staff, helper):
    here = fulfilled_wish(community, by=helper, staff=staff, title="福阳社区的心愿")
    far = CommunityFactory(street=StreetFactory(name="远方街道"), name="远方社区")
    far_helper = make_volunteer(far, username="far_helper")
    fulfilled_wish(far, by=far_helper, staff=make_staff(far), title="远方社区的心愿")
    by_community = text(Client().get(url("outcomes:wall"), {"community": far.pk}))
    by_street = text(Client().get(url("outcomes:wall"), {"street": here.community.street_id}))
    assert "远方社区的心愿" in by_community and "福阳社区的心愿" not in by_community
    assert "福阳社区的心愿" in by_street and "远方社区的心愿" not in by_street


def test_a_filter_that_makes_no_sense_is_ignored_rather_than_an_error(story):
    response = Client().get(url("outcomes:wall"), {"community": "x", "street": "999999"})
    assert response.status_code == 200 and "一台制氧机" in text(response)


# ----- what a story says, and what it never says ------------------------------------------------

NEVER = (
    "司马光明",  # full name
    "13912345678",  # phone
    "幸福里7号楼",  # address
    "肺癌晚期",  # situation detail, and the description that repeats it
    "重病患者",  # situation
    "患病群众",  # target group
    "13812345678",  # a number typed into the title and the fulfilment note
    VALID_ID,  # an ID number typed into the thanks
    "13611112222",  # the volunteer's username (their phone number)
)


@pytest.mark.parametrize("page", ["outcomes:wall", "outcomes:wall_story"])
def test_the_wall_never_shows_the_residents_name_phone_address_situation_or_typed_numbers(
    story, page
):
    args = (story.pk,) if page == "outcomes:wall_story" else ()
    shown = text(Client().get(url(page, *args)))
    assert [secret for secret in NEVER if secret in shown] == []
    assert "司马先生" in shown and "138****5678" in shown


def test_the_story_page_tells_what_was_done_and_the_thanks_with_numbers_masked(story):
    shown = text(Client().get(url("outcomes:wall_story", story.pk)))
    assert "制氧机已送到，售后请打138****5678" in shown
    assert "谢谢！身份证110*************2X的老司马" in shown


@pytest.mark.parametrize(
    ("credit", "shown"),
    [("none", "一位志愿者"), ("name", "李红梅"), ("organisation", "一位志愿者")],
)
def test_the_volunteer_is_credited_only_as_they_agreed(story, helper, credit, shown):
    set_credit(helper, credit)
    page = text(Client().get(url("outcomes:wall_story", story.pk)))
    assert shown in page
    assert ("李红梅" in page) is (credit == "name")


def test_a_volunteer_credited_by_organisation_shows_their_confirmed_branch(
    community, staff, organisation
):
    member = make_volunteer(community, organisation=organisation, username="branch_member")
    set_credit(member, "organisation")
    wish = fulfilled_wish(community, by=member, staff=staff)
    page = text(Client().get(url("outcomes:wall_story", wish.pk)))
    assert "市税务局稽查局党支部" in page


def test_an_unconfirmed_branch_is_not_credited(community, staff, organisation):
    member = make_volunteer(community, organisation=organisation, username="unconfirmed")
    VolunteerProfile.objects.filter(user=member).update(
        organisation_confirmed=False, wall_credit="organisation"
    )
    wish = fulfilled_wish(community, by=member, staff=staff)
    page = text(Client().get(url("outcomes:wall_story", wish.pk)))
    assert "市税务局稽查局党支部" not in page and "一位志愿者" in page


def test_a_wish_claimed_for_a_branch_credits_the_branch(community, staff, organisation, member):
    set_credit(member, "organisation")
    wish = fulfilled_wish(community, by=member, staff=staff, organisation=organisation)
    page = text(Client().get(url("outcomes:wall_story", wish.pk)))
    assert "市税务局稽查局党支部" in page


def test_a_volunteer_credited_by_name_without_a_real_name_stays_anonymous(story, helper):
    set_credit(helper, "name")
    type(helper).objects.filter(pk=helper.pk).update(real_name="")
    page = text(Client().get(url("outcomes:wall_story", story.pk)))
    assert "一位志愿者" in page and "13611112222" not in page


# ----- photos -----------------------------------------------------------------------------------


def test_a_photo_staff_chose_is_served_to_anyone_and_may_be_cached(story, delivery_photo):
    choose(story, delivery_photo)
    response = Client().get(url("outcomes:wall_photo", delivery_photo.pk))
    assert response.status_code == 200 and "public" in response["Cache-Control"]


def test_a_delivery_photo_nobody_chose_is_not_served(story, delivery_photo):
    assert Client().get(url("outcomes:wall_photo", delivery_photo.pk)).status_code == 404


def test_the_residents_own_photo_is_never_served_even_if_a_row_names_it(story, request_photo):
    choose(story, request_photo)  # as if added behind the workbench's back
    response = Client().get(url("outcomes:wall_photo", request_photo.pk))
    page = text(Client().get(url("outcomes:wall_story", story.pk)))
    assert response.status_code == 404 and f"/wall/photos/{request_photo.pk}/" not in page


def test_a_chosen_photo_of_a_hidden_story_is_not_served(story, delivery_photo):
    choose(story, delivery_photo, hidden=True)
    assert Client().get(url("outcomes:wall_photo", delivery_photo.pk)).status_code == 404


def test_a_chosen_photo_is_shown_with_its_story(story, delivery_photo):
    choose(story, delivery_photo)
    page = text(Client().get(url("outcomes:wall_story", story.pk)))
    assert url("outcomes:wall_photo", delivery_photo.pk) in page


def test_a_signed_in_visitors_copy_of_a_wall_photo_is_never_kept(story, delivery_photo, helper):
    choose(story, delivery_photo)
    response = as_user(helper).get(url("outcomes:wall_photo", delivery_photo.pk))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


# ----- staff decide -----------------------------------------------------------------------------

POST_ACTIONS = [
    "outcomes:wall_hide",
    "outcomes:wall_show",
    "outcomes:wall_feature",
    "outcomes:wall_unfeature",
    "outcomes:wall_choose_photos",
]


def test_staff_hide_a_story_and_are_recorded_as_deciding(story, staff):
    response = as_user(staff).post(url("outcomes:wall_hide", story.pk))
    record = WallStory.objects.get(wish=story)
    assert response.status_code == 302 and record.hidden
    assert record.decided_by == staff


def test_staff_put_a_hidden_story_back_on_the_wall(story, staff):
    choose(story, hidden=True)
    as_user(staff).post(url("outcomes:wall_show", story.pk))
    assert wall.is_on_wall(Wish.objects.get(pk=story.pk))


def test_staff_feature_a_story_and_unfeature_it(story, staff):
    client = as_user(staff)
    client.post(url("outcomes:wall_feature", story.pk))
    featured = WallStory.objects.get(wish=story).featured
    client.post(url("outcomes:wall_unfeature", story.pk))
    assert featured and not WallStory.objects.get(wish=story).featured


def test_hiding_a_featured_story_unfeatures_it(story, staff):
    choose(story, featured=True)
    as_user(staff).post(url("outcomes:wall_hide", story.pk))
    record = WallStory.objects.get(wish=story)
    assert record.hidden and not record.featured


def test_featuring_a_hidden_story_is_refused_and_says_why(story, staff):
    choose(story, hidden=True)
    response = as_user(staff).post(url("outcomes:wall_feature", story.pk))
    assert response.status_code == 409 and "请先恢复上墙" in text(response)
    assert not WallStory.objects.get(wish=story).featured


def test_staff_choose_the_photos_of_a_story(story, staff, delivery_photo):
    response = as_user(staff).post(
        url("outcomes:wall_choose_photos", story.pk), {"photos": [delivery_photo.pk]}
    )
    assert response.status_code == 302
    assert list(WallStory.objects.get(wish=story).photos.all()) == [delivery_photo]


def test_staff_cannot_choose_the_residents_own_photo(story, staff, request_photo):
    response = as_user(staff).post(
        url("outcomes:wall_choose_photos", story.pk), {"photos": [request_photo.pk]}
    )
    assert response.status_code == 400
    assert not WallStory.objects.filter(wish=story, photos=request_photo).exists()


def test_staff_cannot_choose_another_wishs_photo(story, staff, community, helper):
    other = fulfilled_wish(community, by=helper, staff=staff, photos=[png("yellow")])
    response = as_user(staff).post(
        url("outcomes:wall_choose_photos", story.pk), {"photos": [other.photos.get().pk]}
    )
    assert response.status_code == 400


def test_staff_cannot_put_a_wish_without_consent_on_the_wall(community, staff, helper):
    private = fulfilled_wish(community, by=helper, staff=staff, public_consent=False)
    response = as_user(staff).post(url("outcomes:wall_feature", private.pk))
    assert response.status_code == 409 and not WallStory.objects.exists()


def test_staff_of_another_community_get_404_hiding_a_story(story, other_staff):
    response = as_user(other_staff).post(url("outcomes:wall_hide", story.pk))
    assert response.status_code == 404 and wall.is_on_wall(story)


def test_a_grid_worker_of_another_grid_gets_404(story, community):
    from accounts.models import StaffRole
    from tests.factories import GridFactory

    elsewhere = GridFactory(community=community, name="别的网格")
    Wish.objects.filter(pk=story.pk).update(grid=GridFactory(community=community, name="本网格"))
    worker = UserFactory(username="grid_elsewhere")
    StaffRole.objects.create(
        user=worker, role=StaffRole.Role.GRID_WORKER, community=community, grid=elsewhere
    )
    assert as_user(worker).post(url("outcomes:wall_hide", story.pk)).status_code == 404


@pytest.mark.parametrize("name", POST_ACTIONS)
def test_people_who_are_not_staff_get_403(story, helper, name):
    assert as_user(helper).post(url(name, story.pk)).status_code == 403


@pytest.mark.parametrize("name", POST_ACTIONS)
def test_an_anonymous_visitor_is_sent_to_log_in(story, name):
    response = Client().post(url(name, story.pk))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", POST_ACTIONS)
def test_get_on_a_post_only_action_is_405(story, staff, name):
    assert as_user(staff).get(url(name, story.pk)).status_code == 405


def test_the_staff_wish_page_offers_the_wall_box_for_a_story(story, staff, delivery_photo):
    page = text(as_user(staff).get(url("staff:wish", story.pk)))
    assert url("outcomes:wall_hide", story.pk) in page
    assert f'name="photos" value="{delivery_photo.pk}"' in page


def test_the_staff_wish_page_has_no_wall_box_for_a_wish_without_consent(community, staff, helper):
    private = fulfilled_wish(community, by=helper, staff=staff, public_consent=False)
    page = text(as_user(staff).get(url("staff:wish", private.pk)))
    assert url("outcomes:wall_hide", private.pk) not in page


def test_the_wall_box_never_offers_the_residents_own_photo(story, staff, request_photo):
    page = text(as_user(staff).get(url("staff:wish", story.pk)))
    assert f'name="photos" value="{request_photo.pk}"' not in page


# ----- a shared link ----------------------------------------------------------------------------


def test_a_shared_link_to_a_fulfilled_wish_shows_its_story(story, helper):
    set_credit(helper, "name")
    page = text(Client().get(url("wishes:detail", story.pk)))
    assert "一台制氧机，电话138****5678" in page and "李红梅" in page
    assert [secret for secret in NEVER if secret in page] == []


def test_a_shared_link_to_a_hidden_story_only_says_the_wish_came_true(story):
    choose(story, hidden=True)
    page = text(Client().get(url("wishes:detail", story.pk)))
    assert "这个心愿已经实现了" in page and "一台制氧机" not in page


def test_a_shared_link_to_a_claimed_wish_still_says_it_was_taken(community, staff, helper):
    wish = WishFactory(community=community, staff=staff, claimer=helper, claimed=True)
    page = text(Client().get(url("wishes:detail", wish.pk)))
    assert "这个心愿已有人认领" in page and "圆梦人" not in page


def test_every_page_links_to_the_wall(db):
    assert f'href="{url("outcomes:wall")}"' in text(Client().get(url("wishes:home")))


# ----- the policy and the queries --------------------------------------------------------------


def test_the_policy_answers_both_ways_alike(community, staff, helper, story, delivery_photo):
    hidden = fulfilled_wish(community, by=helper, staff=staff, photos=[png("yellow")])
    choose(hidden, hidden.photos.get(), hidden=True)
    choose(story, delivery_photo, featured=True)
    fulfilled_wish(community, by=helper, staff=staff, public_consent=False)
    WishFactory(community=community, staff=staff, approved=True)
    listed = set(wall.stories())
    assert listed == {w for w in Wish.objects.all() if wall.is_on_wall(w)}
    assert set(wall.photos()) == {p for p in WishPhoto.objects.all() if wall.shows_photo(p)}


def test_the_policy_says_alike_who_decides_about_which_story(story, staff, other_staff, helper):
    everything = list(Wish.objects.all())
    for user in (staff, other_staff, helper):
        decided = {w for w in everything if wall.may_manage(user, w)}
        assert set(wall.managed(user)) == decided, user


def test_the_wall_takes_the_same_number_of_queries_however_many_stories(
    community, staff, helper, organisation, member, django_assert_max_num_queries
):
    set_credit(member, "organisation")

    def add_stories(n: int) -> None:
        for i in range(n):
            by, org = (member, organisation) if i % 2 else (helper, None)
            wish = fulfilled_wish(
                community, by=by, staff=staff, organisation=org, photos=[png("green")]
            )
            choose(wish, wish.photos.get(), featured=i % 3 == 0)

    add_stories(2)
    with CaptureQueriesContext(connection) as few:
        Client().get(url("outcomes:wall"))
    add_stories(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = Client().get(url("outcomes:wall"))
    assert len(response.context["stories"]) == 12


def test_the_wall_needs_no_login_and_refuses_a_post(story):
    assert Client().get(url("outcomes:wall")).status_code == 200
    assert Client().post(url("outcomes:wall")).status_code == 405


def test_a_story_is_gone_when_the_resident_withdraws_consent(story):
    Wish.objects.filter(pk=story.pk).update(public_consent=False)
    assert Client().get(url("outcomes:wall_story", story.pk)).status_code == 404
    assert story.status == Status.CONFIRMED
