"""Django's own form errors in plain words, in both languages, on every form."""

import pytest
from django import forms
from django.utils import translation

from tests.factories import ResidentFactory
from wishes.forms import FulfilForm, WishForm
from wishes.models import Wish

pytestmark = pytest.mark.django_db


def draft(community) -> Wish:
    return Wish(community=community, resident=ResidentFactory(community=community))


def errors_of(form) -> dict[str, list[str]]:
    form.is_valid()
    return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


def test_a_title_too_long_says_how_much_is_allowed_and_how_much_there_is(community):
    form = WishForm(data={"title": "米" * 130}, instance=draft(community))
    assert errors_of(form)["title"] == ["最多可以写100个字，现在是130个字，请删减一些。"]


def test_an_empty_required_field_says_fill_it_in(community):
    assert errors_of(FulfilForm(data={}))["note"] == ["请简单说明兑现情况。"]  # our own words win
    form = WishForm(data={}, instance=draft(community))
    assert errors_of(form)["title"] == ["请填写这一项。"]
    assert errors_of(form)["category"] == ["请填写这一项。"]


def test_a_choice_not_on_the_list_says_choose_from_it(community):
    form = WishForm(data={"category": "999999"}, instance=draft(community))
    assert errors_of(form)["category"] == ["请从列表里选一项。"]


class Dates(forms.Form):
    day = forms.DateField()
    count = forms.IntegerField(max_value=10)
    money = forms.DecimalField(max_digits=5, decimal_places=2)


def test_dates_and_numbers_show_an_example():
    assert errors_of(Dates(data={"day": "2026/13/45", "count": "x", "money": "y"})) == {
        "day": ["请按“年-月-日”填写日期，例如 2026-12-01。"],
        "count": ["请填写整数，例如 3。"],
        "money": ["请填写数字，例如 50 或 12.5。"],
    }
    assert errors_of(Dates(data={"day": "2026-12-01", "count": "11", "money": "1.234"})) == {
        "count": ["不能超过10。"],
        "money": ["小数点后最多2位。"],
    }


def test_the_same_messages_in_english(community):
    with translation.override("en"):
        form = WishForm(data={"title": "x" * 130}, instance=draft(community))
        errors = errors_of(form)
        assert errors["title"] == ["Please keep this to 100 characters or fewer; it has 130 now."]
        assert errors["category"] == ["Please fill this in."]
        assert errors_of(Dates(data={"day": "soon", "count": "1", "money": "1"})) == {
            "day": ["Please give the date as year-month-day, e.g. 2026-12-01."]
        }


def test_password_rules_say_what_to_do(client):
    from django.urls import reverse

    response = client.post(
        reverse("accounts:register"),
        {"role": "resident", "phone": "13912345678", "password1": "1234", "password2": "1234"},
    )
    page = response.content.decode()
    assert "密码至少要8位，请再加几位。" in page
    assert "密码不能全是数字，请加上几个字母。" in page
    assert "此密码" not in page and "这个密码太常见了。" not in page.replace("别人容易猜到", "")


def test_a_wrong_old_password_is_said_plainly(login, volunteer):
    from django.urls import reverse

    page = (
        login(volunteer)
        .post(
            reverse("accounts:password_change"),
            {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
        )
        .content.decode()
    )
    assert "原来的密码不对，请再试一次。" in page
