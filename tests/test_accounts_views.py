"""Signing up as a resident or volunteer, the profile page, changing one's password, logging in."""

import re

import pytest
from django.contrib.auth import authenticate
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import Resident, User, VolunteerRegistration
from tests.factories import (
    PASSWORD,
    GridFactory,
    ResidentFactory,
    UserFactory,
    VolunteerRegistrationFactory,
)
from tests.signup import REGISTER_CODE, change_phone, code_sent_to, messages_to, register

REGISTER = reverse("accounts:register")
PROFILE = reverse("accounts:profile")
NEW_PASSWORD = "hongqi-2024-canal"
PHONE = "13812345678"


@pytest.fixture
def signup(community):
    """What a resident of 福阳社区 types into the sign-up form; tests change a field or two."""

    def _signup(**changes):
        data = {
            "role": "resident",
            "phone": PHONE,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "real_name": "张秀兰",
            "community": community.pk,
            "grid": "",
        }
        return {**data, **changes}

    return _signup


def page_text(response) -> str:
    """The page as a reader sees it: tags dropped, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


def errors(response, field):
    return response.context["form"].errors.get(field, [])


# ----- signing up -------------------------------------------------------------------------


def test_resident_sign_up_creates_a_login_and_a_resident_record(client, signup, community, grid):
    register(client, signup(grid=grid.pk))
    person = Resident.objects.get(user__username=PHONE)
    assert (person.name, person.phone, person.community, person.grid) == (
        "张秀兰",
        PHONE,
        community,
        grid,
    )
    assert person.user.check_password(NEW_PASSWORD)


def test_resident_sign_up_keeps_the_address_for_delivery(client, signup):
    register(client, signup(address="明珠花园7号楼2单元101室"))
    assert Resident.objects.get(user__username=PHONE).address == "明珠花园7号楼2单元101室"


def test_resident_is_logged_in_and_sent_to_make_a_wish(client, signup):
    response = register(client, signup())
    assert response.url == reverse("wishes:new")
    assert int(client.session["_auth_user_id"]) == User.objects.get(phone=PHONE).pk


def test_volunteer_sign_up_is_pending_so_they_cannot_claim_yet(client, signup, community):
    register(client, signup(role="volunteer", is_party_member="1"))
    user = User.objects.get(phone=PHONE)
    assert user.volunteer_profile.registrations.get().status == "pending"
    assert not user.volunteer_communities().exists()
    assert not hasattr(user, "resident")


def test_volunteer_is_sent_home_and_told_staff_must_approve(client, signup, organisation):
    response = register(
        client,
        signup(role="volunteer", is_party_member="0", organisation=organisation.pk),
        follow=True,
    )
    assert response.redirect_chain == [("/", 302)]
    assert "福阳社区的报到申请已提交。社区工作人员审核通过后" in response.text
    assert User.objects.get(phone=PHONE).volunteer_profile.organisation == organisation


def test_volunteer_must_say_whether_they_are_a_party_member(client, signup):
    response = client.post(REGISTER, signup(role="volunteer"))
    assert errors(response, "is_party_member") == ["请选择您是不是党员。"]


def test_nothing_is_saved_until_the_code_from_the_sms_comes_back(client, signup):
    response = client.post(REGISTER, signup())
    assert response.url == REGISTER_CODE
    assert not User.objects.exists()
    assert NEW_PASSWORD not in str(dict(client.session))  # only the password's hash waits
    (text,) = messages_to(PHONE)
    assert "验证码是" in text and "15分钟内有效" in text
    page = client.get(REGISTER_CODE)
    assert "请输入发到 138****5678 的短信里的6位验证码。" in page_text(page)


def test_a_wrong_code_creates_nothing_and_says_so(client, signup):
    client.post(REGISTER, signup())
    response = client.post(REGISTER_CODE, {"code": "000000"})
    assert errors(response, "code") == [
        "验证码不对或已过期，请看一下最新的短信，或重新获取验证码。"
    ]
    assert not User.objects.exists()


def test_five_wrong_codes_use_the_code_up(client, signup):
    client.post(REGISTER, signup())
    right = code_sent_to(PHONE)
    for _ in range(5):
        client.post(REGISTER_CODE, {"code": "000000" if right != "000000" else "111111"})
    client.post(REGISTER_CODE, {"code": right})
    assert not User.objects.exists()


def test_asking_again_within_a_minute_sends_no_second_message(client, signup):
    client.post(REGISTER, signup())
    client.post(REGISTER_CODE, {"resend": "1"})
    assert len(messages_to(PHONE)) == 1


def test_the_code_page_without_a_form_filled_in_goes_back_to_the_form(client, db):
    assert client.get(REGISTER_CODE).url == REGISTER


def visible_answer(response) -> str:
    """What the person reads after the form, with the (masked) number taken out."""
    return page_text(response).replace("138****5678", "").replace("139****4321", "")


def test_a_registered_number_gets_the_same_answer_as_a_new_one(signup, resident, outbox):
    taken, fresh = Client(), Client()
    resident.phone = PHONE
    resident.save()
    to_taken = taken.post(REGISTER, signup(), follow=True)
    to_fresh = fresh.post(REGISTER, signup(phone="13987654321"), follow=True)
    assert to_taken.redirect_chain == to_fresh.redirect_chain == [(REGISTER_CODE, 302)]
    assert visible_answer(to_taken) == visible_answer(to_fresh)
    # The number's holder is told, and gets no code anyone could use.
    (text,) = messages_to(PHONE)
    assert "这个号码已经注册过了，您可以直接登录" in text and "忘记密码" in text
    assert code_sent_to(PHONE) is None


def test_no_code_registers_a_number_that_is_taken(client, signup, resident):
    resident.phone = PHONE
    resident.save()
    client.post(REGISTER, signup())
    for guess in ("000000", "123456"):
        response = client.post(REGISTER_CODE, {"code": guess})
        assert errors(response, "code")
    assert User.objects.filter(phone=PHONE).get() == resident
    assert resident.check_password(PASSWORD)


def test_a_number_someone_uses_as_username_is_not_given_again(client, signup):
    holder = UserFactory(username=PHONE, phone="13900000000")
    register(client, signup())
    assert list(User.objects.all()) == [holder]
    assert "已经注册过了" in messages_to(PHONE)[0]


def test_an_invalid_phone_number_is_refused_in_chinese(client, signup):
    response = client.post(REGISTER, signup(phone="12345"))
    assert errors(response, "phone") == ["请输入11位中国大陆手机号码，例如 13812345678。"]
    assert not User.objects.exists()


def test_spaces_in_a_phone_number_are_dropped(client, signup):
    register(client, signup(phone="138 1234 5678"))
    assert User.objects.filter(username=PHONE, phone=PHONE).exists()


def test_mismatched_passwords_are_refused(client, signup):
    response = client.post(REGISTER, signup(password2="something-else-42"))
    assert errors(response, "password2") == ["两次输入的密码不一样，请重新输入。"]
    assert not User.objects.exists()


def test_a_password_too_like_the_phone_number_is_refused(client, signup):
    password = f"{PHONE}ab"
    response = client.post(REGISTER, signup(password1=password, password2=password))
    assert errors(response, "password1") == ["密码和您的用户名太像了，别人容易猜到，请换一个。"]


def test_a_grid_of_another_community_is_refused(client, signup, other_community):
    elsewhere = GridFactory(community=other_community, name="新兴第一网格")
    response = client.post(REGISTER, signup(grid=elsewhere.pk))
    assert errors(response, "grid") == ["新兴第一网格不属于福阳社区，请重新选择网格。"]
    assert not Resident.objects.exists()


def test_the_sign_up_form_asks_for_phone_numbers_with_the_phone_keypad(client, db):
    response = client.get(REGISTER)
    assert 'type="tel"' in response.text
    assert 'inputmode="tel"' in response.text


def test_a_logged_in_user_visiting_sign_up_is_sent_home(login, resident):
    response = login(resident).get(REGISTER)
    assert (response.status_code, response.url) == (302, "/")


# ----- the profile page -------------------------------------------------------------------


def test_anonymous_visitor_of_the_profile_is_sent_to_log_in(anon):
    response = anon.get(PROFILE)
    assert response.url == f"{reverse('accounts:login')}?next={PROFILE}"


def test_profile_shows_each_registration_with_its_status(login, pending_volunteer, other_community):
    VolunteerRegistrationFactory(
        volunteer=pending_volunteer.volunteer_profile, community=other_community
    )
    response = login(pending_volunteer).get(PROFILE)
    assert "向阳街道 · 福阳社区 待审核" in page_text(response)
    assert "新兴街道 · 新兴社区 已通过" in page_text(response)


def test_profile_shows_a_resident_their_community_but_not_the_staffs_notes(login, resident):
    response = login(resident).get(PROFILE)
    assert "福阳社区" in response.text
    assert resident.resident.situation_detail not in response.text
    assert "低保户" not in response.text


def test_profile_shows_staff_roles(login, staff):
    response = login(staff).get(PROFILE)
    assert "社区工作人员 · 福阳社区" in response.text


def test_user_changes_their_name(login, resident):
    login(resident).post(PROFILE, {"real_name": "王淑芬", "phone": resident.phone})
    resident.refresh_from_db()
    assert resident.real_name == "王淑芬"


def test_a_new_number_is_kept_only_after_its_code_comes_back(login, resident):
    client = login(resident)
    response = client.post(PROFILE, {"real_name": "王淑芬", "phone": "13987654321"})
    assert response.url == reverse("accounts:phone_code")
    resident.refresh_from_db()
    assert resident.real_name == "王淑芬"  # the rest of the form is saved at once
    assert resident.phone != "13987654321"
    code = code_sent_to("13987654321")
    client.post(reverse("accounts:phone_code"), {"code": code})
    resident.refresh_from_db()
    assert resident.phone == "13987654321"


def test_a_number_taken_by_someone_else_is_not_told_on_the_profile(
    login, resident, other_resident, outbox
):
    old_phone = resident.phone
    client = login(resident)
    response = client.post(
        PROFILE, {"real_name": "王淑芬", "phone": other_resident.phone}, follow=True
    )
    to_fresh = login(UserFactory()).post(
        PROFILE, {"real_name": "王淑芬", "phone": "13987654321"}, follow=True
    )
    assert response.redirect_chain == to_fresh.redirect_chain
    taken = page_text(response).split("退出", 1)[1]
    taken = taken.replace(other_resident.phone[:3] + "****" + other_resident.phone[-4:], "")
    assert taken == page_text(to_fresh).split("退出", 1)[1].replace("139****4321", "")
    (text,) = messages_to(other_resident.phone)
    assert "有人想把您的手机号绑定到另一个微心愿账号上" in text
    for guess in ("000000", "123456"):
        client.post(reverse("accounts:phone_code"), {"code": guess})
    resident.refresh_from_db()
    assert resident.phone == old_phone


def test_a_new_number_frees_the_old_one_for_whoever_gets_it_next(client, signup):
    register(client, signup())
    change_phone(client, {"real_name": "张秀兰", "phone": "13987654321"})
    client.logout()
    assert authenticate(username="13987654321", password=NEW_PASSWORD) is not None
    cache.clear()  # a minute later: one code a minute per number
    assert register(client, signup()).url == reverse("wishes:new")


# ----- 双报到 with more communities, and residents becoming volunteers ----------------------


def test_volunteer_asks_to_join_another_community(login, volunteer, other_community):
    login(volunteer).post(reverse("accounts:join_community"), {"community": other_community.pk})
    registration = volunteer.volunteer_profile.registrations.get(community=other_community)
    assert registration.status == VolunteerRegistration.Status.PENDING
    assert other_community not in volunteer.volunteer_communities()


def test_asking_twice_for_the_same_community_is_refused(login, volunteer, community):
    response = login(volunteer).post(
        reverse("accounts:join_community"), {"community": community.pk}
    )
    assert response.context["join_form"].errors["community"] == [
        "您已经向福阳社区报到过了（已通过），不用重复申请。"
    ]
    assert volunteer.volunteer_profile.registrations.count() == 1


def test_someone_who_is_not_a_volunteer_cannot_join_a_community(login, resident, community):
    response = login(resident).post(reverse("accounts:join_community"), {"community": community.pk})
    assert response.status_code == 403


def test_joining_a_community_by_get_is_not_allowed(login, volunteer):
    assert login(volunteer).get(reverse("accounts:join_community")).status_code == 405


def test_resident_becomes_a_volunteer_too(login, resident, community):
    client = login(resident)
    client.post(
        reverse("accounts:become_volunteer"), {"community": community.pk, "is_party_member": "1"}
    )
    resident.refresh_from_db()
    assert resident.volunteer_profile.registrations.get().status == "pending"
    assert resident.resident.community == community


def test_becoming_a_volunteer_is_offered_only_to_people_who_are_not_one(login, resident, volunteer):
    assert "我也想当志愿者" in login(resident).get(PROFILE).text
    assert "我也想当志愿者" not in login(volunteer).get(PROFILE).text


# ----- passwords and logging in -----------------------------------------------------------


def test_changing_the_password_makes_the_old_one_stop_working(login, resident):
    response = login(resident).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.url == reverse("accounts:password_change_done")
    assert authenticate(username="resident", password=PASSWORD) is None
    assert authenticate(username="resident", password=NEW_PASSWORD) == resident


def test_a_wrong_old_password_changes_nothing(login, resident):
    response = login(resident).post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.context["form"].errors["old_password"] == ["原来的密码不对，请再试一次。"]


def test_login_form_logs_in_by_phone_number(client, community):
    person = ResidentFactory(community=community, user=UserFactory(phone="13600000001"))
    response = client.post(
        reverse("accounts:login"), {"username": "13600000001", "password": PASSWORD}
    )
    assert response.url == "/"
    assert int(client.session["_auth_user_id"]) == person.user_id


def test_login_page_asks_for_phone_or_username_and_links_to_sign_up(client, db):
    response = client.get(reverse("accounts:login"))
    assert "手机号或用户名" in response.text
    assert f'href="{REGISTER}"' in response.text


def test_a_bad_login_is_explained_in_chinese(client, resident):
    response = client.post(
        reverse("accounts:login"), {"username": resident.phone, "password": "wrong"}
    )
    assert "手机号（或用户名）与密码不匹配" in response.text


def test_resident_is_welcomed_after_signing_up(client, signup):
    response = register(client, signup())
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "注册成功，欢迎您！现在就可以说出您的微心愿。"
    ]


def test_resident_adds_their_address_on_the_profile(login, resident):
    login(resident).post(
        PROFILE,
        {"real_name": "张秀兰", "phone": resident.phone, "address": "明珠花园2号楼1单元301室"},
    )
    assert Resident.objects.get(user=resident).address == "明珠花园2号楼1单元301室"


def test_changing_phone_on_the_profile_updates_the_resident_record(login, resident):
    Resident.objects.filter(user=resident).update(phone=resident.phone)
    change_phone(login(resident), {"real_name": "张秀兰", "phone": "13900001111", "address": ""})
    assert Resident.objects.get(user=resident).phone == "13900001111"


# ----- slowing down password guessing -------------------------------------------------------

LOGIN = reverse("accounts:login")


def test_five_wrong_passwords_pause_the_account(client, resident, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(LOGIN, {"username": resident.username, "password": "wrong-guess"})
    response = client.post(LOGIN, {"username": resident.username, "password": PASSWORD})
    assert "输错次数太多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_right_password_before_the_limit_clears_the_count(client, resident, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": resident.username, "password": "wrong-guess"})
    client.post(LOGIN, {"username": resident.username, "password": PASSWORD})
    client.logout()
    client.post(LOGIN, {"username": resident.username, "password": "wrong-guess"})
    response = client.post(LOGIN, {"username": resident.username, "password": PASSWORD})
    assert response.status_code == 302


def test_the_pause_ends_after_the_window(client, resident, settings):
    import datetime

    import time_machine

    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(LOGIN, {"username": resident.username, "password": "wrong-guess"})
    later = datetime.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES + 1)
    with time_machine.travel(later):
        response = client.post(LOGIN, {"username": resident.username, "password": PASSWORD})
    assert response.status_code == 302


def test_guessing_one_account_does_not_pause_another(client, resident, other_resident, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(LOGIN, {"username": resident.username, "password": "wrong-guess"})
    response = client.post(LOGIN, {"username": other_resident.username, "password": PASSWORD})
    assert response.status_code == 302


ADMIN_LOGIN = reverse("admin:login")


def test_the_admin_login_shares_the_pause(client, staff, settings):
    """Twelve wrong passwords at /admin/login/ then the right one let anyone in before: the
    admin's door now has the site's lock, and each door counts for the other."""
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(ADMIN_LOGIN, {"username": staff.username, "password": "wrong-guess"})
    response = client.post(ADMIN_LOGIN, {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "输错次数太多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post(LOGIN, {"username": staff.username, "password": PASSWORD})
    assert "输错次数太多" in response.content.decode()


def test_wrong_passwords_at_the_site_pause_the_admin_door(client, staff, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(LOGIN, {"username": staff.username, "password": "wrong-guess"})
    response = client.post(ADMIN_LOGIN, {"username": staff.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "输错次数太多" in response.content.decode()


def test_the_username_and_the_phone_number_are_one_account(db, client, settings):
    user = UserFactory(username="li_hua", phone="13912345670")
    for attempt in range(settings.LOGIN_FAILURE_LIMIT):
        typed = "li_hua" if attempt % 2 else "139 1234 5670"
        client.post(LOGIN, {"username": typed, "password": "wrong-guess"})
    response = client.post(LOGIN, {"username": user.phone, "password": PASSWORD})
    assert "输错次数太多" in response.content.decode()


@pytest.mark.parametrize("typed", ["１２３４５６", "😀" * 6, "x" * 5000, "<b>1</b>"])
def test_any_code_typed_is_answered_plainly(client, signup, typed):
    client.post(REGISTER, signup())
    response = client.post(REGISTER_CODE, {"code": typed})
    assert response.status_code == 200 and errors(response, "code")
    assert not User.objects.exists()


def test_a_nul_byte_in_a_code_is_a_bad_request(client, signup):
    client.post(REGISTER, signup())
    assert client.post(REGISTER_CODE, {"code": "12\x003456"}).status_code == 400
    assert not User.objects.exists()


def test_going_back_to_correct_the_number_keeps_the_rest_but_the_password(client, signup, grid):
    client.post(REGISTER, signup(grid=grid.pk, address="明珠花园7号楼"))
    form = client.get(REGISTER).context["form"]
    assert (form["phone"].value(), form["real_name"].value(), form["grid"].value()) == (
        PHONE,
        "张秀兰",
        grid.pk,
    )
    assert form["address"].value() == "明珠花园7号楼"
    assert NEW_PASSWORD not in client.get(REGISTER).text
