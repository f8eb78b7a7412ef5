"""The fast widget renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from accounts.forms import GridSelect, RegistrationForm, TelInput
from config.form_renderer import FastWidgetRenderer
from wishes.forms import WishForm
from wishes.views.public import WishFilterForm

HOSTILE = '"><script>alert(1)</script>&amp;'


class EveryWidget(forms.Form):
    text = forms.CharField(initial=HOSTILE, widget=forms.TextInput(attrs={"data-x": HOSTILE}))
    number = forms.IntegerField(initial=3)
    email = forms.EmailField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="s3cret")
    hidden = forms.CharField(widget=forms.HiddenInput, initial="1")
    day = forms.DateField(
        initial=datetime.date(2026, 12, 2), widget=forms.DateInput(attrs={"type": "date"})
    )
    tel = forms.CharField(widget=TelInput, initial="138 1234 5678")
    agree = forms.BooleanField(initial=True)
    off = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea, initial=HOSTILE)
    empty_note = forms.CharField(widget=forms.Textarea, required=False)
    pick = forms.ChoiceField(choices=[("", "—"), ("a", "甲 & 乙"), (HOSTILE, HOSTILE)], initial="a")
    grouped = forms.ChoiceField(
        choices=[("果", [("apple", "苹果"), ("pear", "梨")]), ("veg", "蔬菜")], initial="pear"
    )
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")], initial=["1", "2"])
    disabled = forms.CharField(disabled=True, initial="固定")


def both(form_class, **kwargs) -> tuple[str, str]:
    fast = form_class(renderer=FastWidgetRenderer(), **kwargs)
    django = form_class(renderer=DjangoTemplates(), **kwargs)
    return (
        "".join(str(field) for field in fast),
        "".join(str(field) for field in django),
    )


def test_every_plain_widget_is_written_as_django_writes_it():
    fast, django = both(EveryWidget)
    assert fast == django
    assert "<script>" not in fast


def test_bound_values_and_errors_too():
    fast, django = both(EveryWidget, data={"text": HOSTILE, "number": "x", "pick": "zzz"})
    assert fast == django


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", [RegistrationForm, WishFilterForm])
def test_the_sites_own_forms(form_class, community, grid):
    fast, django = both(form_class, data={"community": str(community.pk)})
    assert fast == django


@pytest.mark.django_db
def test_the_wish_form(community):
    # The same one-time key in both (it is a fresh uuid per form otherwise).
    fast, django = both(
        WishForm, initial={"submission_key": "6f1c0b52-4b5c-4a8e-9f00-2b2f0c1e9a11"}
    )
    assert fast == django


def test_a_widget_with_its_own_option_template_falls_back_to_the_engine():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/attrs.html"

    class F(forms.Form):
        a = forms.ChoiceField(choices=[("1", "一")], widget=Custom)

    fast, django = both(F)
    assert fast == django
    assert GridSelect.option_template_name == "django/forms/widgets/select_option.html"
