"""The resident and volunteer pages: who gets in, what they see, and what each button does."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.factories import (
    CategoryFactory,
    GridFactory,
    OrganisationFactory,
    ResidentFactory,
    WishFactory,
    make_volunteer,
)
from wishes.lifecycle import Status
from wishes.models import Claim, Wish, WishEvent, WishPhoto


def png(name: str = "photo.png", size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def url(name: str, wish: Wish | None = None) -> str:
    return reverse(f"wishes:{name}", args=[wish.pk] if wish else [])


@pytest.fixture
def category(db):
    return CategoryFactory(name="生活物资", help_text="米面油等日常生活用品，请写清数量。")


@pytest.fixture
def published(community, resident, staff, category):
    return WishFactory(
        community=community,
        resident=resident.resident,
        category=category,
        staff=staff,
        approved=True,
        title="冬天的厚棉被",
    )


@pytest.fixture
def claimed(community, resident, staff, volunteer, category):
    return WishFactory(
        community=community,
        resident=resident.resident,
        category=category,
        staff=staff,
        claimer=volunteer,
        claimed=True,
    )


# ----- the published list --------------------------------------------------------------------


def test_anonymous_visitor_sees_published_wishes_with_consent(anon, published):
    response = anon.get(url("list"))
    assert response.status_code == 200
    assert "冬天的厚棉被" in response.content.decode()


def test_list_never_shows_phone_address_or_full_name(login, volunteer, published):
    page = login(volunteer).get(url("list")).content.decode()
    resident = published.resident
    assert resident.phone not in page
    assert resident.address not in page and resident.name not in page


def test_list_shows_the_masked_name(login, volunteer, published):
    page = login(volunteer).get(url("list")).content.decode()
    assert published.masked_name in page


def test_volunteer_sees_their_communitys_wishes_by_default(
    login, volunteer, published, other_community
):
    elsewhere = WishFactory(community=other_community, approved=True, title="别处的心愿")
    page = login(volunteer).get(url("list")).content.decode()
    assert published.title in page and elsewhere.title not in page


def test_switch_shows_every_community(login, volunteer, published, other_community):
    elsewhere = WishFactory(community=other_community, approved=True, title="别处的心愿")
    page = login(volunteer).get(url("list"), {"scope": "all"}).content.decode()
    assert published.title in page and elsewhere.title in page


def test_list_leaves_out_claimed_and_unreviewed_wishes(login, volunteer, claimed, community):
    submitted = WishFactory(community=community, title="还在审核的心愿")
    page = login(volunteer).get(url("list")).content.decode()
    assert claimed.title not in page and submitted.title not in page


def test_list_is_oldest_first(login, volunteer, community, staff):
    first = WishFactory(community=community, staff=staff, approved=True, title="先发布的心愿")
    second = WishFactory(community=community, staff=staff, approved=True, title="后发布的心愿")
    page = login(volunteer).get(url("list")).content.decode()
    assert page.index(first.title) < page.index(second.title)


def test_list_sorted_by_due_date_puts_the_nearest_first(login, volunteer, community, staff):
    import datetime

    later = WishFactory(
        community=community,
        staff=staff,
        approved=True,
        title="月底的心愿",
        due_date=datetime.date(2030, 1, 30),
    )
    sooner = WishFactory(
        community=community,
        staff=staff,
        approved=True,
        title="月初的心愿",
        due_date=datetime.date(2030, 1, 2),
    )
    page = login(volunteer).get(url("list"), {"sort": "due"}).content.decode()
    assert page.index(sooner.title) < page.index(later.title)


def test_keyword_search_finds_matching_wishes(login, volunteer, published, community, staff):
    WishFactory(community=community, staff=staff, approved=True, title="一个新书包")
    page = login(volunteer).get(url("list"), {"q": "书包"}).content.decode()
    assert "一个新书包" in page and published.title not in page


def test_category_filter(login, volunteer, published, community, staff):
    school = CategoryFactory(name="学习用品")
    WishFactory(community=community, staff=staff, approved=True, category=school, title="文具盒")
    page = login(volunteer).get(url("list"), {"category": school.pk}).content.decode()
    assert "文具盒" in page and published.title not in page


def test_grid_filter(login, volunteer, community, staff):
    grid = GridFactory(community=community)
    inside = ResidentFactory(community=community, grid=grid)
    WishFactory(
        community=community,
        staff=staff,
        approved=True,
        resident=inside,
        grid=grid,
        title="网格里的心愿",
    )
    WishFactory(community=community, staff=staff, approved=True, title="网格外的心愿")
    page = (
        login(volunteer)
        .get(url("list"), {"community": community.pk, "grid": grid.pk})
        .content.decode()
    )
    assert "网格里的心愿" in page and "网格外的心愿" not in page


def test_nonsense_filters_are_ignored_not_an_error(login, volunteer, published):
    response = login(volunteer).get(
        url("list"), {"community": "abc", "category": "999999", "sort": "x", "kind": "?"}
    )
    assert response.status_code == 200
    assert published.title in response.content.decode()


def test_list_query_count_does_not_grow_with_the_wishes(
    login, volunteer, community, staff, django_assert_max_num_queries
):
    client = login(volunteer)
    for _ in range(25):
        WishFactory(community=community, staff=staff, approved=True)
    # The user's scope (registrations, organisation, staff roles) is read once per request.
    with django_assert_max_num_queries(13):
        response = client.get(url("list"))
    assert len(response.context["wishes"]) == 20


# ----- a wish's page ---------------------------------------------------------------------------


def test_volunteer_sees_a_claim_button_on_a_published_wish(login, volunteer, published):
    page = login(volunteer).get(url("detail", published)).content.decode()
    assert url("claim", published) in page


def test_volunteer_does_not_see_contact_details_before_claiming(login, volunteer, published):
    page = login(volunteer).get(url("detail", published)).content.decode()
    assert published.resident.phone not in page and published.resident.address not in page


def test_claimer_sees_phone_and_address_after_claiming(login, volunteer, claimed):
    page = login(volunteer).get(url("detail", claimed)).content.decode()
    assert claimed.resident.phone in page and claimed.resident.address in page


def test_claimer_never_sees_the_household_situation(login, volunteer, claimed):
    page = login(volunteer).get(url("detail", claimed)).content.decode()
    assert claimed.resident.situation_detail not in page


def test_other_volunteer_gets_the_taken_page_for_a_claimed_wish(login, claimer, claimed):
    page = login(claimer).get(url("detail", claimed)).content.decode()
    assert "已有人认领" in page and claimed.resident.phone not in page


def test_other_volunteer_cannot_open_a_claimed_wish_they_were_never_shown(
    login, community, staff, volunteer, other_community
):
    private = WishFactory(
        community=community, staff=staff, claimer=volunteer, claimed=True, public_consent=False
    )
    elsewhere = make_volunteer(other_community)
    assert login(elsewhere).get(url("detail", private)).status_code == 404


def test_anonymous_visitor_cannot_open_a_wish_without_consent(anon, community, staff):
    private = WishFactory(community=community, staff=staff, approved=True, public_consent=False)
    assert anon.get(url("detail", private)).status_code == 404


def test_resident_sees_their_own_wish_timeline(login, resident, claimed):
    page = login(resident).get(url("detail", claimed)).content.decode()
    assert "进展记录" in page and "审核通过" in page


def test_pending_volunteer_is_told_to_register_before_claiming(login, pending_volunteer, published):
    page = login(pending_volunteer).get(url("detail", published)).content.decode()
    assert url("claim", published) not in page and "报到" in page


# ----- claiming ----------------------------------------------------------------------------------


def test_claim_redirects_to_the_wish_with_a_message(login, volunteer, published):
    response = login(volunteer).post(url("claim", published), follow=True)
    assert response.redirect_chain[0] == (url("detail", published), 302)
    assert "认领成功" in response.content.decode()


def test_claim_makes_the_volunteer_the_claimer(login, volunteer, published):
    login(volunteer).post(url("claim", published))
    published.refresh_from_db()
    assert published.status == Status.CLAIMED
    assert published.open_claim().volunteer == volunteer


def test_second_claimer_gets_409_with_a_chinese_message(login, claimer, volunteer, published):
    page_seen = login(volunteer)
    page_seen.get(url("detail", published))
    published.claim(by=claimer)
    response = page_seen.post(url("claim", published))
    assert response.status_code == 409
    assert "手慢了一步" in response.content.decode()


def test_the_losing_page_says_too_slow_once(login, claimer, volunteer, published):
    published.claim(by=claimer)
    page = login(volunteer).post(url("claim", published)).content.decode()
    assert page.count("手慢了一步") == 1


def test_claiming_again_in_a_second_tab_says_it_is_already_yours(login, volunteer, published):
    client = login(volunteer)
    client.post(url("claim", published))
    response = client.post(url("claim", published), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "这个心愿已经是您认领的了" in page
    assert "手慢了一步" not in page


def test_two_tabs_claiming_at_the_same_moment_tell_the_second_it_is_theirs(
    login, volunteer, published, monkeypatch
):
    """The second tab passed the "already mine?" check just before the first tab's claim
    landed: its own claim then fails, and it must not say someone else was faster."""
    real_claim = Wish.claim

    def first_tab_lands_first(self, **kwargs):
        monkeypatch.setattr(Wish, "claim", real_claim)
        real_claim(Wish.objects.get(pk=self.pk), **kwargs)
        return real_claim(self, **kwargs)

    monkeypatch.setattr(Wish, "claim", first_tab_lands_first)
    response = login(volunteer).post(url("claim", published), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1] == (url("detail", published), 302)
    assert "这个心愿已经是您认领的了" in page
    assert "手慢了一步" not in page
    assert published.claims.count() == 1


def test_lost_race_page_links_back_to_the_list(login, claimer, volunteer, published):
    published.claim(by=claimer)
    response = login(volunteer).post(url("claim", published))
    assert url("list") in response.content.decode()


def test_lost_race_leaves_the_first_claim_alone(login, claimer, volunteer, published):
    published.claim(by=claimer)
    login(volunteer).post(url("claim", published))
    assert published.open_claim().volunteer == claimer


def test_claiming_a_wish_never_published_is_404(login, volunteer, community):
    submitted = WishFactory(community=community)
    assert login(volunteer).post(url("claim", submitted)).status_code == 404


@pytest.mark.parametrize("pk", [0, 2**63 - 1, 2**63, 10**30])
def test_claiming_a_wish_no_id_could_name_is_404(login, volunteer, pk):
    """The glance is a bigint statement: an id beyond it finds nothing, and breaks nothing."""
    assert login(volunteer).post(f"/wishes/{pk}/claim/").status_code == 404


def test_claiming_a_wish_another_volunteer_holds_tells_staff_it_is_taken(
    login, staff, volunteer, published
):
    published.claim(by=volunteer)
    response = login(staff).post(url("claim", published))
    assert response.status_code == 409
    assert "已被他人认领" in response.content.decode()


def test_pending_volunteer_claim_is_refused_with_403(login, pending_volunteer, published):
    response = login(pending_volunteer).post(url("claim", published))
    published.refresh_from_db()
    assert response.status_code == 403
    assert published.status == Status.APPROVED


def test_claim_for_my_organisation(login, community, published):
    branch = OrganisationFactory(name="市司法局党支部", communities=[community])
    member = make_volunteer(community, organisation=branch)
    login(member).post(url("claim", published), {"organisation": branch.pk})
    assert published.open_claim().organisation == branch


def test_claim_for_an_organisation_i_do_not_belong_to_is_refused(
    login, volunteer, published, community
):
    branch = OrganisationFactory(communities=[community])
    response = login(volunteer).post(url("claim", published), {"organisation": branch.pk})
    assert response.status_code == 403
    assert not Claim.objects.filter(wish=published).exists()


def test_claim_by_get_is_not_allowed(login, volunteer, published):
    assert login(volunteer).get(url("claim", published)).status_code == 405


def test_anonymous_claim_goes_to_login(anon, published):
    response = anon.post(url("claim", published))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_claim_without_csrf_token_is_refused(volunteer, published):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(volunteer)
    assert client.post(url("claim", published)).status_code == 403


# ----- 我的认领 ----------------------------------------------------------------------------------


def test_claims_page_lists_my_active_claims(login, volunteer, claimed):
    page = login(volunteer).get(url("claims")).content.decode()
    assert claimed.title in page and url("fulfil", claimed) in page


def test_organisation_members_see_their_organisations_claims(login, community, published):
    branch = OrganisationFactory(communities=[community])
    first = make_volunteer(community, organisation=branch)
    second = make_volunteer(community, organisation=branch)
    published.claim(by=first, organisation=branch)
    page = login(second).get(url("claims")).content.decode()
    assert published.title in page


def test_my_claims_come_before_my_branchs_on_every_page(login, community, staff):
    """Own claims first, then the branch's, each by the nearest due date — across pages."""
    branch = OrganisationFactory(communities=[community])
    me, colleague = (make_volunteer(community, organisation=branch) for _ in range(2))
    today = timezone.localdate()
    expected_mine, expected_branch = [], []
    for n in range(12):
        for holder, expected in ((me, expected_mine), (colleague, expected_branch)):
            wish = WishFactory(community=community, approved=True, staff=staff)
            wish.claim(by=holder, organisation=branch)
            due = today + datetime.timedelta(days=(7 * n) % 12)
            Claim.objects.filter(wish=wish).update(due_date=due)
            expected.append((due, wish.pk))
    expected = [pk for _, pk in sorted(expected_mine)] + [pk for _, pk in sorted(expected_branch)]
    client = login(me)
    shown = []
    for number in (1, 2):
        page = client.get(url("claims") + f"?page={number}").context["page_obj"]
        assert page.paginator.count == 24
        shown += [claim.wish_id for claim in page]
    assert shown == expected


def test_home_shows_the_nearest_due_of_my_claims_and_my_branchs(login, community, staff):
    branch = OrganisationFactory(communities=[community])
    me, colleague = (make_volunteer(community, organisation=branch) for _ in range(2))
    today = timezone.localdate()
    due = {}
    for days, holder in [(9, me), (2, colleague), (None, me), (5, me), (1, colleague), (7, None)]:
        wish = WishFactory(community=community, approved=True, staff=staff)
        if holder is None:  # someone else's, outside my branch
            wish.claim(by=make_volunteer(community))
        else:
            wish.claim(by=holder, organisation=branch)
        when = today + datetime.timedelta(days=days) if days is not None else None
        Claim.objects.filter(wish=wish).update(due_date=when)
        due[wish.pk] = when
    shown = [claim.wish_id for claim in login(me).get(url("home")).context["due_claims"]]
    assert [due[pk] for pk in shown] == [
        today + datetime.timedelta(days=n) for n in (1, 2, 5, 9)
    ] + [None]


def test_dispatched_wish_shows_accept_and_decline(login, volunteer, published, staff):
    published.dispatch(by=staff, volunteer=volunteer, note="请周末前联系")
    page = login(volunteer).get(url("claims")).content.decode()
    assert url("accept", published) in page and url("decline", published) in page


def test_accepting_a_dispatch_claims_the_wish(login, volunteer, published, staff):
    published.dispatch(by=staff, volunteer=volunteer)
    login(volunteer).post(url("accept", published))
    published.refresh_from_db()
    assert published.status == Status.CLAIMED


def test_declining_a_dispatch_needs_a_reason(login, volunteer, published, staff):
    published.dispatch(by=staff, volunteer=volunteer)
    response = login(volunteer).post(url("decline", published), {"reason": ""})
    published.refresh_from_db()
    assert response.status_code == 400
    assert published.status == Status.DISPATCHED


def test_declining_a_dispatch_returns_it_to_the_list(login, volunteer, published, staff):
    published.dispatch(by=staff, volunteer=volunteer)
    login(volunteer).post(url("decline", published), {"reason": "这周出差"})
    published.refresh_from_db()
    assert published.status == Status.APPROVED


def test_releasing_a_claim_with_a_reason(login, volunteer, claimed):
    response = login(volunteer).post(url("release", claimed), {"reason": "临时出差，无法送达"})
    claimed.refresh_from_db()
    assert response.status_code == 302
    assert claimed.status == Status.APPROVED


def test_releasing_without_a_reason_changes_nothing(login, volunteer, claimed):
    response = login(volunteer).post(url("release", claimed), {"reason": "  "})
    claimed.refresh_from_db()
    assert response.status_code == 400 and claimed.status == Status.CLAIMED


# ----- reporting fulfilment ---------------------------------------------------------------------


def test_fulfil_page_shows_the_form_to_the_claimer(login, volunteer, claimed):
    response = login(volunteer).get(url("fulfil", claimed))
    assert response.status_code == 200 and "兑现情况" in response.content.decode()


def test_fulfil_with_a_note_and_photos(login, volunteer, claimed):
    login(volunteer).post(
        url("fulfil", claimed), {"note": "已把米和油送到家", "photos": [png("a.png"), png("b.png")]}
    )
    claimed.refresh_from_db()
    assert claimed.status == Status.FULFILLED
    assert claimed.photos.filter(kind=WishPhoto.Kind.FULFILMENT).count() == 2


def test_fulfil_without_a_note_keeps_the_form_with_an_error(login, volunteer, claimed):
    response = login(volunteer).post(url("fulfil", claimed), {"note": ""})
    claimed.refresh_from_db()
    assert "请简单说明兑现情况" in response.content.decode()
    assert claimed.status == Status.CLAIMED


def test_fulfil_refuses_more_than_six_photos(login, volunteer, claimed):
    photos = [png(f"{n}.png") for n in range(7)]
    response = login(volunteer).post(url("fulfil", claimed), {"note": "送到了", "photos": photos})
    claimed.refresh_from_db()
    assert "最多上传6张照片" in response.content.decode()
    assert claimed.status == Status.CLAIMED


def test_fulfil_refuses_a_file_that_is_not_an_image(login, volunteer, claimed):
    fake = SimpleUploadedFile("evil.png", b"not an image at all", content_type="image/png")
    response = login(volunteer).post(url("fulfil", claimed), {"note": "送到了", "photos": [fake]})
    claimed.refresh_from_db()
    assert response.status_code == 200 and claimed.status == Status.CLAIMED
    assert "只能上传 JPG、PNG、GIF 或 WebP 格式的照片" in response.content.decode()


def test_fulfil_refuses_a_photo_over_5_mb(login, volunteer, claimed, monkeypatch):
    monkeypatch.setattr("wishes.images.MAX_PHOTO_BYTES", 10)
    response = login(volunteer).post(url("fulfil", claimed), {"note": "送到了", "photos": [png()]})
    claimed.refresh_from_db()
    assert "请选择不超过" in response.content.decode()
    assert claimed.status == Status.CLAIMED


def test_someone_else_cannot_report_fulfilment(login, claimer, claimed):
    assert login(claimer).get(url("fulfil", claimed)).status_code == 404


def test_photos_are_served_only_to_who_sees_the_private_side(login, volunteer, claimed, claimer):
    claimed.fulfil(by=volunteer, note="送到了", photos=[png()])
    photo = claimed.photos.get()
    photo_url = reverse("wishes:photo", args=[claimed.pk, photo.pk])
    assert login(volunteer).get(photo_url).status_code == 404  # claim ended; not theirs now
    assert login(claimed.resident.user).get(photo_url).status_code == 200


# ----- residents: 群众点单 ------------------------------------------------------------------------


def wish_data(category, **overrides):
    data = {
        "category": category.pk,
        "title": "一袋大米",
        "description": "家里米快吃完了，想要一袋10斤的大米。",
        "kind": Wish.Kind.INDIVIDUAL,
        "target_group": Wish.TargetGroup.ELDERLY,
    }
    data.update(overrides)
    return data


def test_new_wish_form_shows_category_help_text(login, resident, category):
    page = login(resident).get(url("new")).content.decode()
    assert category.help_text in page


def test_public_consent_is_unticked_by_default(login, resident, category):
    form = login(resident).get(url("new")).context["form"]
    assert form["public_consent"].value() is False


def test_resident_submits_a_wish(login, resident, category):
    response = login(resident).post(url("new"), wish_data(category))
    wish = Wish.objects.get(title="一袋大米")
    assert response.status_code == 302
    assert (wish.status, wish.resident, wish.channel) == (
        Status.SUBMITTED,
        resident.resident,
        Wish.Channel.ONLINE,
    )


def test_submitted_wish_starts_its_timeline(login, resident, category):
    login(resident).post(url("new"), wish_data(category))
    event = WishEvent.objects.get(wish__title="一袋大米")
    assert (event.action, event.actor) == ("submit", resident)


def test_submitted_wish_keeps_its_photo(login, resident, category):
    login(resident).post(url("new"), {**wish_data(category), "photo": png()})
    assert Wish.objects.get(title="一袋大米").photos.filter(kind="request").count() == 1


def test_invalid_wish_keeps_what_was_typed_and_says_why_in_chinese(login, resident, category):
    response = login(resident).post(url("new"), wish_data(category, title=""))
    page = response.content.decode()
    assert response.status_code == 200 and "请填写这一项。" in page
    assert "家里米快吃完了" in page
    assert not Wish.objects.exists()


def test_unknown_category_is_an_error_not_a_crash(login, resident, category):
    response = login(resident).post(url("new"), {**wish_data(category), "category": "99999"})
    assert response.status_code == 200 and not Wish.objects.exists()


def test_volunteer_without_resident_record_cannot_submit(login, volunteer, category):
    assert login(volunteer).get(url("new")).status_code == 403


def test_anonymous_new_wish_goes_to_login(anon):
    response = anon.get(url("new"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_my_wishes_lists_only_mine(login, resident, other_resident, community):
    mine = WishFactory(community=community, resident=resident.resident, title="我的心愿A")
    WishFactory(community=community, resident=other_resident.resident, title="邻居的心愿B")
    page = login(resident).get(url("mine")).content.decode()
    assert mine.title in page and "邻居的心愿B" not in page


def test_my_wishes_shows_the_progress_steps(login, resident, claimed):
    page = login(resident).get(url("mine")).content.decode()
    assert 'aria-current="step"' in page and "兑现" in page


def test_resident_edits_a_wish_under_review(login, resident, community, category):
    wish = WishFactory(community=community, resident=resident.resident, category=category)
    login(resident).post(url("edit", wish), wish_data(category, title="两袋大米"))
    wish.refresh_from_db()
    assert wish.title == "两袋大米"
    assert wish.events.filter(action="edit").count() == 1


def test_editing_after_approval_is_refused(login, resident, published, category):
    response = login(resident).post(url("edit", published), wish_data(category, title="改了"))
    published.refresh_from_db()
    assert response.status_code == 409 and published.title != "改了"


def test_another_resident_cannot_edit_my_wish(login, other_resident, resident, community):
    wish = WishFactory(community=community, resident=resident.resident)
    assert login(other_resident).get(url("edit", wish)).status_code == 404


def test_resident_withdraws_a_wish_under_review(login, resident, community):
    wish = WishFactory(community=community, resident=resident.resident)
    login(resident).post(url("withdraw", wish), {"reason": "已经买到了"})
    wish.refresh_from_db()
    assert wish.status == Status.WITHDRAWN


def test_resident_confirms_with_thanks_and_rating(login, resident, claimed, volunteer):
    claimed.fulfil(by=volunteer, note="送到了")
    login(resident).post(url("confirm", claimed), {"thanks": "谢谢！", "rating": "5"})
    claimed.refresh_from_db()
    assert (claimed.status, claimed.rating, claimed.thanks_note) == (Status.CONFIRMED, 5, "谢谢！")


def test_confirm_with_a_rating_out_of_range_changes_nothing(login, resident, claimed, volunteer):
    claimed.fulfil(by=volunteer, note="送到了")
    login(resident).post(url("confirm", claimed), {"rating": "9"})
    claimed.refresh_from_db()
    assert claimed.status == Status.FULFILLED


def test_volunteer_cannot_confirm_for_the_resident(login, volunteer, claimed):
    claimed.fulfil(by=volunteer, note="送到了")
    response = login(volunteer).post(url("confirm", claimed), {"rating": "5"})
    assert response.status_code in {403, 404}


# ----- home --------------------------------------------------------------------------------------


def test_anonymous_home_explains_how_to_join(anon, published):
    page = anon.get(url("home")).content.decode()
    assert "怎样参与" in page and published.title in page


def test_resident_home_has_the_big_submit_button(login, resident):
    page = login(resident).get(url("home")).content.decode()
    assert url("new") in page and "提交心愿" in page


def test_volunteer_home_shows_my_due_claims(login, volunteer, claimed):
    page = login(volunteer).get(url("home")).content.decode()
    assert claimed.title in page


def test_pending_volunteer_home_says_registration_awaits_review(login, pending_volunteer):
    page = login(pending_volunteer).get(url("home")).content.decode()
    assert "等待社区工作人员审核" in page


def test_staff_home_counts_wishes_waiting_for_review(login, staff, community):
    WishFactory(community=community)
    response = login(staff).get(url("home"))
    counters = {counter.key: counter for counter in response.context["staff_counters"]}
    assert counters["to_review"].count == 1
    assert counters["to_review"].url == reverse("staff:review")


def test_the_home_page_and_the_workbench_count_with_the_same_words(login, staff, community):
    """Five counters, the same words and numbers in both places, each linking to its queue."""
    WishFactory(community=community)
    WishFactory(community=community, approved=True)
    WishFactory(community=community, claimed=True)
    client = login(staff)
    home = client.get(url("home")).context["staff_counters"]
    bench = client.get(reverse("staff:index")).context["counters"]
    assert [(c.label, c.count) for c in home] == [(c.label, c.count) for c in bench]
    assert [str(c.label) for c in home] == ["待审核", "待认领", "已派单", "认领中", "待确认"]
    assert [c.count for c in home] == [1, 1, 0, 1, 0]
    assert [c.url for c in bench] == [
        reverse("staff:review"),
        reverse("staff:dispatch_queue"),
        reverse("staff:wishes") + "?status=dispatched",
        reverse("staff:wishes") + "?status=claimed",
        reverse("staff:wishes") + "?status=fulfilled",
    ]
    for counter in bench:  # each queue opens
        assert client.get(counter.url).status_code == 200


def test_staff_land_on_the_workbench_after_logging_in(client, staff, volunteer):
    from tests.factories import PASSWORD

    response = client.post(
        reverse("accounts:login"), {"username": staff.username, "password": PASSWORD}
    )
    assert response["Location"] == reverse("staff:index")
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"username": volunteer.username, "password": PASSWORD}
    )
    assert response["Location"] == "/"
    client.logout()
    response = client.post(
        reverse("accounts:login") + "?next=/wishes/",
        {"username": staff.username, "password": PASSWORD},
    )
    assert response["Location"] == "/wishes/"


def test_volunteers_find_event_sign_in_in_the_menu(login, volunteer):
    page = login(volunteer).get(url("home")).content.decode()
    assert f'href="{reverse("wishes:event_code")}"' in page


def test_the_losing_page_says_someone_got_there_first_once_in_english(
    login, claimer, volunteer, published
):
    from django.utils import translation

    published.claim(by=claimer)
    client = login(volunteer)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        page = client.post(url("claim", published)).content.decode()
    assert page.count("Someone got there first") == 1
    assert "This wish has just been claimed" in page


def test_a_member_may_choose_to_claim_alone_as_well_as_for_the_branch(login, member, community):
    wish = WishFactory(community=community, approved=True)
    page = login(member).get(url("detail", wish)).content.decode()
    assert "以个人名义认领" in page
    assert page.count('name="organisation"') == 2
