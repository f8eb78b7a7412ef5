"""The Django admin as community staff use it: scoped to their community, moves via actions."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from tests.factories import PASSWORD, CategoryFactory, CommunityFactory, WishFactory
from wishes.lifecycle import Status
from wishes.models import Claim, Wish, WishEvent

CHANGELIST = reverse("admin:wishes_wish_changelist")


def change_url(wish: Wish) -> str:
    return reverse("admin:wishes_wish_change", args=[wish.pk])


def run_action(client, action: str, *wishes: Wish, follow: bool = False, **data):
    """POST an admin action on the wish changelist, as the action dropdown does."""
    return client.post(
        CHANGELIST,
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [w.pk for w in wishes], **data},
        follow=follow,
    )


@pytest.fixture
def staff_client(login, staff):
    return login(staff)


@pytest.fixture
def submitted(community):
    return WishFactory(community=community, title="想要一台轮椅")


@pytest.fixture
def elsewhere(other_community):
    return WishFactory(community=other_community, title="新兴社区的心愿")


def test_staff_sees_only_their_own_communitys_wishes_in_the_changelist(
    staff_client, submitted, elsewhere
):
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [submitted]


def test_street_admin_sees_the_wishes_of_every_community_in_their_street(
    login, street_admin, street, submitted, elsewhere
):
    neighbour = WishFactory(community=CommunityFactory(street=street, name="明珠社区"))
    response = login(street_admin).get(CHANGELIST)
    assert set(response.context["cl"].result_list) == {submitted, neighbour}


def test_staff_opening_another_communitys_wish_get_404(staff_client, elsewhere):
    # As on the workbench: not Django's "may have been deleted" redirect.
    assert staff_client.get(change_url(elsewhere)).status_code == 404


def test_staff_can_open_their_own_communitys_wish(staff_client, submitted):
    assert staff_client.get(change_url(submitted)).status_code == 200


def test_staff_sees_the_claims_and_timeline_on_a_wish_page_read_only(
    staff_client, community, staff, claimer
):
    wish = WishFactory(community=community, staff=staff, claimer=claimer, claimed=True)
    response = staff_client.get(change_url(wish))
    inlines = [
        (formset.opts.model, formset.has_change_permission)
        for formset in response.context["inline_admin_formsets"]
    ]
    assert inlines == [(Claim, False), (WishEvent, False)]


def test_admin_approve_action_approves_through_the_life_cycle(staff_client, staff, submitted):
    response = run_action(staff_client, "approve_selected", submitted)
    submitted.refresh_from_db()
    assert response.status_code == 302
    assert (submitted.status, submitted.reviewed_by) == (Status.APPROVED, staff)
    assert submitted.events.filter(action="approve", actor=staff).count() == 1


def test_admin_action_cannot_reach_another_communitys_wish(staff_client, elsewhere):
    run_action(staff_client, "approve_selected", elsewhere)
    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.SUBMITTED


def test_admin_action_reports_a_refused_move_and_changes_nothing(staff_client, community, staff):
    wish = WishFactory(community=community, staff=staff, approved=True)
    response = run_action(staff_client, "approve_selected", wish, follow=True)
    wish.refresh_from_db()
    assert wish.status == Status.APPROVED
    assert "不能审核通过" in response.content.decode()


def test_reject_action_first_asks_for_a_reason(staff_client, submitted):
    response = run_action(staff_client, "reject_selected", submitted)
    submitted.refresh_from_db()
    assert response.templates[0].name == "admin/wishes/wish/action_form.html"
    assert not response.context["form"].is_bound
    assert submitted.status == Status.SUBMITTED


def test_reject_action_with_a_reason_rejects(staff_client, submitted):
    run_action(staff_client, "reject_selected", submitted, apply="1", reason="不在本社区服务范围")
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reject_reason) == (Status.REJECTED, "不在本社区服务范围")
    assert submitted.events.filter(action="reject", note="不在本社区服务范围").exists()


def test_reject_action_with_a_blank_reason_keeps_the_form_with_an_error(staff_client, submitted):
    response = run_action(staff_client, "reject_selected", submitted, apply="1", reason="")
    submitted.refresh_from_db()
    assert response.context["form"].errors == {"reason": ["请填写原因。"]}
    assert submitted.status == Status.SUBMITTED


def test_dispatch_action_offers_the_wish_to_an_organisation(
    staff_client, community, staff, organisation
):
    wish = WishFactory(community=community, staff=staff, approved=True)
    run_action(staff_client, "dispatch_selected", wish, apply="1", organisation=organisation.pk)
    wish.refresh_from_db()
    assert wish.status == Status.DISPATCHED
    assert wish.open_claim().organisation == organisation


def test_dispatch_action_without_a_recipient_keeps_the_form(staff_client, community, staff):
    wish = WishFactory(community=community, staff=staff, approved=True)
    response = run_action(staff_client, "dispatch_selected", wish, apply="1")
    wish.refresh_from_db()
    assert response.context["form"].non_field_errors() == ["请选择一位志愿者或一个单位（二选一）。"]
    assert wish.status == Status.APPROVED


def test_close_action_with_a_reason_closes_and_cancels_the_claim(
    staff_client, community, staff, claimer
):
    wish = WishFactory(community=community, staff=staff, claimer=claimer, claimed=True)
    run_action(staff_client, "close_selected", wish, apply="1", reason="居民已搬离本社区")
    wish.refresh_from_db()
    assert (wish.status, wish.close_reason) == (Status.CLOSED, "居民已搬离本社区")
    assert wish.claims.get().state == Claim.State.CANCELLED


def test_staff_adding_a_wish_creates_a_submitted_wish_with_a_submit_event(
    staff_client, staff, community, resident
):
    data = {
        "title": "想要一台轮椅",
        "description": "老伴腿脚不便，出门要人背",
        "category": CategoryFactory().pk,
        "kind": Wish.Kind.INDIVIDUAL,
        "priority": Wish.Priority.NORMAL,
        "target_group": Wish.TargetGroup.ELDERLY,
        "community": community.pk,
        "resident": resident.resident.pk,
        "channel": Wish.Channel.VISIT,
        # Inline management forms, in case the inlines are shown.
        "claims-TOTAL_FORMS": "0",
        "claims-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    response = staff_client.post(reverse("admin:wishes_wish_add"), data)
    wish = Wish.objects.get(title="想要一台轮椅")
    assert response.status_code == 302
    assert (wish.status, wish.entered_by) == (Status.SUBMITTED, staff)
    assert list(wish.events.values_list("action", "actor")) == [("submit", staff.pk)]


def test_staff_cannot_add_a_wish_for_another_community(staff_client, other_community):
    response = staff_client.get(reverse("admin:wishes_wish_add"))
    choices = response.context["adminform"].form.fields["community"].queryset
    assert other_community not in choices


def test_wish_change_form_shows_status_read_only(staff_client, submitted):
    response = staff_client.get(change_url(submitted))
    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "status" in response.context["adminform"].readonly_fields


def test_posting_a_status_through_the_change_form_does_not_change_it(
    staff_client, submitted, community
):
    data = {
        "title": "想要一台新轮椅",
        "description": submitted.description,
        "category": submitted.category_id,
        "kind": submitted.kind,
        "priority": submitted.priority,
        "target_group": submitted.target_group,
        "community": community.pk,
        "resident": submitted.resident_id,
        "channel": submitted.channel,
        "status": Status.CONFIRMED,
        "claims-TOTAL_FORMS": "0",
        "claims-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    response = staff_client.post(change_url(submitted), data)
    submitted.refresh_from_db()
    assert response.status_code == 302
    assert (submitted.title, submitted.status) == ("想要一台新轮椅", Status.SUBMITTED)


@pytest.mark.parametrize("page", ["add", "change", "delete"])
def test_nobody_can_add_change_or_delete_a_wish_event_in_the_admin(login, superuser, page):
    event = WishFactory().events.get()
    url = (
        reverse("admin:wishes_wishevent_add")
        if page == "add"
        else reverse(f"admin:wishes_wishevent_{page}", args=[event.pk])
    )
    response = login(superuser).post(url, {"note": "改过的说明", "post": "yes"})
    assert response.status_code == 403
    assert list(WishEvent.objects.values_list("pk", "note")) == [(event.pk, event.note)]


def test_resident_cannot_enter_the_admin(login, resident):
    response = login(resident).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_can_log_into_the_admin_with_the_login_form(client, staff):
    response = client.post(
        reverse("admin:login"),
        {"username": staff.username, "password": PASSWORD, "next": reverse("admin:index")},
    )
    assert (response.status_code, response.url) == (302, reverse("admin:index"))


def test_wish_changelist_query_count_does_not_grow_with_the_wishes(
    staff_client, community, staff, django_assert_max_num_queries
):
    for _ in range(15):
        WishFactory(community=community, staff=staff, approved=True)
    # 13 on SQLite and PostgreSQL (session, user, permissions, filters, counts, page, dates).
    with django_assert_max_num_queries(15):
        response = staff_client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 15


def test_wish_page_shows_only_the_progress_the_wish_has_made(staff_client, submitted):
    page = staff_client.get(change_url(submitted)).content.decode()
    assert "关闭原因" not in page and "审核时间" not in page


def test_closed_wish_page_shows_why_it_was_closed(staff_client, community, staff):
    wish = WishFactory(community=community, staff=staff, closed=True)
    page = staff_client.get(change_url(wish)).content.decode()
    assert "关闭原因" in page and "居民已搬离本社区" in page


def test_staff_edit_their_communitys_rejection_reasons_in_the_admin(staff_client, community):
    from wishes.models import RejectionReason

    reason = RejectionReason.objects.create(community=community, text="重复提交")
    url = reverse("admin:wishes_rejectionreason_change", args=[reason.pk])
    assert staff_client.get(url).status_code == 200


def test_staff_cannot_see_another_communitys_rejection_reasons(staff_client, other_community):
    from wishes.models import RejectionReason

    RejectionReason.objects.create(community=other_community, text="别处的原因")
    page = staff_client.get(reverse("admin:wishes_rejectionreason_changelist")).content.decode()
    assert "别处的原因" not in page


def test_notices_are_for_superusers_only_in_the_admin(staff_client):
    assert staff_client.get(reverse("admin:notices_notice_changelist")).status_code == 403


def change_data(wish: Wish, **overrides) -> dict:
    data = {
        "title": wish.title,
        "description": wish.description,
        "category": wish.category_id,
        "kind": wish.kind,
        "priority": wish.priority,
        "target_group": wish.target_group,
        "grid": "",
        "estimated_value": "",
        "due_date": "",
        "public_consent": "on" if wish.public_consent else "",
        **{
            f"{prefix}-{key}": value
            for prefix in ("claims", "events")
            for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
    }
    data.update(overrides)
    return data


def test_admin_edit_of_a_wish_under_review_lands_in_the_timeline(staff_client, submitted):
    staff_client.post(change_url(submitted), change_data(submitted, title="两袋大米"))
    submitted.refresh_from_db()
    assert submitted.title == "两袋大米"
    assert submitted.events.filter(action="edit").count() == 1


def test_admin_cannot_edit_the_details_of_a_claimed_wish(staff_client, community, staff):
    wish = WishFactory(community=community, staff=staff, claimed=True)
    staff_client.post(change_url(wish), change_data(wish, title="改了标题"))
    wish.refresh_from_db()
    assert wish.title != "改了标题"


def test_admin_wish_form_offers_no_resident_of_another_community(
    staff_client, submitted, other_community
):
    from tests.factories import ResidentFactory

    outsider = ResidentFactory(community=other_community, name="外社区的居民")
    response = staff_client.post(reverse("admin:wishes_wish_add"), {"resident": outsider.pk})
    assert "外社区的居民" not in response.content.decode()


@pytest.mark.parametrize("model", ["community", "grid", "organisation", "street"])
def test_staff_see_only_their_own_places_in_the_admin(staff_client, other_community, model):
    from tests.factories import GridFactory, OrganisationFactory

    GridFactory(community=other_community, name="别处的网格")
    OrganisationFactory(name="别处的单位", communities=[other_community])
    page = staff_client.get(reverse(f"admin:communities_{model}_changelist")).content.decode()
    assert "别处的网格" not in page and "别处的单位" not in page
    if model in {"community", "grid", "street"}:
        assert other_community.name not in page and other_community.street.name not in page


# ----- the wish list: filters by place, columns that fit a laptop -------------------------


def filter_choices(response, title: str) -> list[str]:
    """The choices of one filter in the sidebar, as the person reads them."""
    for spec in response.context["cl"].filter_specs:
        if str(spec.title) == title:
            return [str(choice["display"]) for choice in spec.choices(response.context["cl"])]
    return []


def test_staff_filter_the_wish_list_by_their_own_grids_only(
    staff_client, community, grid, submitted, elsewhere
):
    from tests.factories import GridFactory

    WishFactory(community=community, grid=grid)
    foreign = GridFactory(community=elsewhere.community, name="新兴第一网格")
    WishFactory(community=elsewhere.community, grid=foreign)

    choices = filter_choices(staff_client.get(CHANGELIST), "网格")

    assert "福阳社区 · 明珠花园第二网格" in choices
    assert not any("新兴" in choice for choice in choices)


def test_the_grid_filter_narrows_the_list(staff_client, community, grid, submitted):
    on_grid = WishFactory(community=community, grid=grid)

    response = staff_client.get(CHANGELIST, {"grid__id__exact": grid.pk})

    assert list(response.context["cl"].result_list) == [on_grid]


def test_street_admin_filters_by_their_own_communities_only(
    login, street_admin, street, submitted, elsewhere
):
    WishFactory(community=CommunityFactory(street=street, name="明珠社区"))

    choices = filter_choices(login(street_admin).get(CHANGELIST), "社区")

    assert {"福阳社区", "明珠社区"} <= set(choices) and "新兴社区" not in choices


def test_the_list_has_few_short_columns_so_none_hides_behind_the_filters(
    staff_client, community, grid
):
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 7, 1, 1, 30, tzinfo=datetime.UTC)):
        WishFactory(community=community, grid=grid, title="一台电暖器", priority="urgent")

    response = staff_client.get(CHANGELIST)
    page = response.content.decode()

    assert len(response.context["cl"].list_display) <= 7  # with the selection checkbox
    assert '一台电暖器 <span class="urgent-mark">紧急</span>' in page
    assert '福阳社区<br><span class="quiet">明珠花园第二网格</span>' in page
    assert ">2026-07-01<" in page  # a date without the time


def test_the_grid_filter_narrows_to_the_picked_community(client, superuser):
    from django.urls import reverse

    from tests.factories import CommunityFactory, GridFactory, WishFactory

    one, two = CommunityFactory(name="福阳社区"), CommunityFactory(name="新兴社区")
    near, far = (
        GridFactory(community=one, name="明珠网格"),
        GridFactory(community=two, name="远方网格"),
    )
    WishFactory(community=one, grid=near)
    WishFactory(community=two, grid=far)
    client.force_login(superuser)
    url = reverse("admin:wishes_wish_changelist")
    page = client.get(url).content.decode()
    assert "明珠网格" in page and "远方网格" in page
    page = client.get(url, {"community__id__exact": one.pk}).content.decode()
    assert "明珠网格" in page and "远方网格" not in page
