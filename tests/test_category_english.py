"""Categories in English: a page read in English shows a category's English name and help text
where it has them, and the Chinese where it has not; the figures, the wall and the import too."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from outcomes import figures
from outcomes.figures import Period, Scope
from tests.factories import CategoryFactory, WishFactory, make_volunteer
from tests.test_spreadsheets import IMPORT, good_row, xlsx
from wishes.forms import WishForm
from wishes.models import Category, Wish
from wishes.staff_forms import ApproveForm

ENGLISH = {"headers": {"accept-language": "en"}}
CHINESE = {"headers": {"accept-language": "zh-hans"}}


@pytest.fixture
def category(db):
    return CategoryFactory(
        name="助残服务",
        name_en="Disability support",
        help_text="陪同出行、代购药品等。请写明需要帮忙的时间。",
        help_text_en="Going out together, fetching medicine. Please say when help is needed.",
    )


@pytest.fixture
def untranslated(db):
    """A category a superuser added without English."""
    return CategoryFactory(name="邻里互助", help_text="邻居之间的小忙。")


@pytest.fixture
def published(community, resident, staff, category):
    return WishFactory(
        community=community,
        resident=resident.resident,
        category=category,
        staff=staff,
        approved=True,
        title="陪老人去医院复查",
    )


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# ----- the one place that decides ---------------------------------------------------------


def test_the_label_is_english_only_in_english(category):
    with translation.override("en"):
        english = (category.label, category.display_help, str(category))
    with translation.override("zh-hans"):
        chinese = (category.label, category.display_help, str(category))
    assert english == ("Disability support", category.help_text_en, "Disability support")
    assert chinese == ("助残服务", category.help_text, "助残服务")


def test_a_category_without_english_falls_back_to_chinese(untranslated):
    with translation.override("en"):
        assert (untranslated.label, untranslated.display_help) == ("邻里互助", "邻居之间的小忙。")


def test_two_categories_may_not_share_an_english_name(category):
    twin = Category(name="残疾人帮扶", name_en="disability SUPPORT")
    with pytest.raises(ValidationError):
        twin.full_clean()


def test_many_categories_may_leave_the_english_blank(untranslated):
    Category(name="另一个类别").full_clean()  # no error: blank English is not a duplicate


# ----- the pages --------------------------------------------------------------------------


def test_the_wish_list_in_english_shows_english_on_cards_and_filters(client, published):
    text = page(client.get(reverse("wishes:list"), **ENGLISH))
    assert text.count("Disability support") >= 2  # the card's badge and the filter's choice
    assert "助残服务" not in text


def test_the_wish_list_in_chinese_shows_chinese(client, published):
    text = page(client.get(reverse("wishes:list"), **CHINESE))
    assert "助残服务" in text and "Disability support" not in text


def test_the_wish_page_in_english_shows_the_english_name(client, published):
    text = page(client.get(reverse("wishes:detail", args=[published.pk]), **ENGLISH))
    assert "Disability support" in text and "助残服务" not in text


def test_the_wish_form_in_english_offers_english_choices_and_help(
    login, resident, category, untranslated
):
    text = page(login(resident).get(reverse("wishes:new"), **ENGLISH))
    assert "<strong>Disability support</strong>: Going out together" in text
    assert f'<option value="{category.pk}">Disability support</option>' in text
    assert "<strong>邻里互助</strong>: 邻居之间的小忙。" in text  # no English: the Chinese


def test_the_wish_form_in_chinese_keeps_the_chinese(community, category):
    with translation.override("zh-hans"):
        form = WishForm(instance=Wish(community=community))
        help_text = str(form.fields["category"].help_text)
    assert "<strong>助残服务</strong>：陪同出行" in help_text


def test_my_wishes_in_english(login, resident, published):
    text = page(login(resident).get(reverse("wishes:mine"), **ENGLISH))
    assert "Disability support" in text


def test_the_staff_wish_list_and_page_in_english(login, staff, published):
    client = login(staff)
    listing = page(client.get(reverse("staff:wishes"), **ENGLISH))
    one = page(client.get(reverse("staff:wish", args=[published.pk]), **ENGLISH))
    assert "Disability support" in listing and "Disability support" in one


def test_the_approve_form_offers_english_names(category):
    with translation.override("en"):
        form = ApproveForm(categories=[category])
    assert (category.pk, "Disability support") in form.fields["category"].choices


def test_the_staff_categories_page_in_english(login, staff, community, category):
    text = page(login(staff).get(reverse("staff:categories"), **ENGLISH))
    assert "Disability support" in text and "助残服务" not in text


# ----- figures, wall, spreadsheets --------------------------------------------------------


def test_the_breakdown_by_category_is_labelled_in_english_and_grouped_once(
    community, staff, category, untranslated
):
    WishFactory.create_batch(2, community=community, staff=staff, category=category)
    WishFactory(community=community, staff=staff, category=untranslated)
    today = timezone.localdate()
    period = Period("custom", today - datetime.timedelta(days=1), today)
    scope = Scope("community", community.pk, community.name)
    with translation.override("en"):
        rows = figures.breakdown(scope, period, "category")
    assert [(row["label"], row["collected"]) for row in rows] == [
        ("Disability support", 2),
        ("邻里互助", 1),
    ]


def test_the_statistics_page_in_english_charts_english_names(client, community, staff, category):
    WishFactory(community=community, staff=staff, category=category)
    response = client.get(
        reverse("outcomes:stats"), {"scope": f"community:{community.pk}"}, **ENGLISH
    )
    assert response.context["report"].charts()["category"]["labels"] == ["Disability support"]


def test_the_wall_in_english_names_the_category_in_english(client, community, staff, category):
    helper = make_volunteer(community, username="helper")
    wish = WishFactory(
        community=community, staff=staff, category=category, approved=True, public_consent=True
    )
    wish.claim(by=helper)
    wish.fulfil(by=helper, note="已陪同复查")
    text = page(client.get(reverse("outcomes:wall"), **ENGLISH))
    assert "Disability support" in text


@pytest.mark.parametrize("written", ["Disability support", "disability SUPPORT"])
def test_the_import_accepts_the_english_name(login, staff, grid, category, written):
    login(staff).post(IMPORT, {"file": xlsx([good_row(类别=written)])})
    assert Wish.objects.get().category == category


def test_the_import_still_takes_the_chinese_name(login, staff, grid, category):
    login(staff).post(IMPORT, {"file": xlsx([good_row(类别="助残服务")])})
    assert Wish.objects.get().category == category


# ----- the admin --------------------------------------------------------------------------


def test_a_superuser_writes_the_english_in_the_admin(login, superuser, untranslated):
    response = login(superuser).post(
        reverse("admin:wishes_category_change", args=[untranslated.pk]),
        {
            "name": "邻里互助",
            "help_text": "邻居之间的小忙。",
            "name_en": "Neighbours helping",
            "help_text_en": "Small favours between neighbours.",
            "order": 70,
            "is_active": "on",
        },
    )
    untranslated.refresh_from_db()
    assert response.status_code == 302
    assert (untranslated.name_en, untranslated.help_text_en) == (
        "Neighbours helping",
        "Small favours between neighbours.",
    )
