"""The data migrations of the Trust work, run against rows made by the schema before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def latest():
    """Every app at its newest migration: where the other tests expect the schema."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_membership_revocation():
    apps = migrate([("accounts", "0004_volunteer_membership_decision")])
    yield apps
    migrate(latest())


def _place(apps, name):
    Street = apps.get_model("communities", "Street")
    Community = apps.get_model("communities", "Community")
    street, _ = Street.objects.get_or_create(name="向阳街道")
    return Community.objects.create(street=street, name=name)


def test_a_membership_confirmed_through_an_unrelated_community_is_revoked(
    before_membership_revocation,
):
    apps = before_membership_revocation
    User = apps.get_model("accounts", "User")
    Organisation = apps.get_model("communities", "Organisation")
    Profile = apps.get_model("accounts", "VolunteerProfile")
    Registration = apps.get_model("accounts", "VolunteerRegistration")
    fuyang, xinxing = _place(apps, "福阳社区"), _place(apps, "新兴社区")
    branch = Organisation.objects.create(name="市税务局稽查局党支部")
    branch.communities.add(fuyang)

    def volunteer(username, community):
        user = User.objects.create(username=username)
        profile = Profile.objects.create(
            user=user, organisation=branch, organisation_confirmed=True
        )
        Registration.objects.create(volunteer=profile, community=community, status="approved")
        return profile

    backed = volunteer("backed", fuyang)  # approved where the branch is registered
    elsewhere = volunteer("elsewhere", xinxing)  # approved only in an unrelated community

    migrate([("accounts", "0005_revoke_memberships_confirmed_elsewhere")])
    apps = (
        MigrationExecutor(connection)
        .loader.project_state([("accounts", "0005_revoke_memberships_confirmed_elsewhere")])
        .apps
    )
    Profile = apps.get_model("accounts", "VolunteerProfile")
    assert Profile.objects.get(pk=backed.pk).organisation_confirmed
    assert not Profile.objects.get(pk=elsewhere.pk).organisation_confirmed


@pytest.fixture
def before_photos_moved():
    apps = migrate([("wishes", "0006_event_photos_note_audience_hidden_categories")])
    yield apps
    migrate(latest())


def test_shared_event_photos_move_to_the_event_and_notes_lose_the_shared_text(
    before_photos_moved,
):
    apps = before_photos_moved
    from django.utils import timezone

    Category = apps.get_model("wishes", "Category")
    Wish = apps.get_model("wishes", "Wish")
    Event = apps.get_model("wishes", "HandoverEvent")
    Photo = apps.get_model("wishes", "WishPhoto")
    WishEvent = apps.get_model("wishes", "WishEvent")
    community = _place(apps, "福阳社区")
    category, _ = Category.objects.get_or_create(name="生活物资")
    now = timezone.now()

    def wish(title):
        return Wish.objects.create(
            title=title,
            description="…",
            category=category,
            community=community,
            status="fulfilled",
            fulfil_note="集中兑现活动“七一”：王大爷家的米和李阿姨的轮椅都送到了",
        )

    first, second = wish("大米"), wish("轮椅")
    event = Event.objects.create(
        community=community,
        title="七一",
        place="党群服务中心",
        starts_at=now,
        ends_at=now + timezone.timedelta(hours=1),
        short_code="ABCDEF",
        fulfilled_at=now,
    )
    event.wishes.add(first, second)
    for item in (first, second):
        Photo.objects.create(wish=item, image="wish-photos/shared.jpg", kind="fulfilment")
        WishEvent.objects.create(
            wish=item,
            action="fulfil",
            from_status="claimed",
            to_status="fulfilled",
            note="集中兑现活动“七一”：王大爷家的米和李阿姨的轮椅都送到了",
        )
    Photo.objects.create(wish=first, image="wish-photos/own.jpg", kind="fulfilment")

    target = [("wishes", "0008_move_shared_event_photos_to_events")]
    migrate(target)
    apps = MigrationExecutor(connection).loader.project_state(target).apps
    Photo = apps.get_model("wishes", "WishPhoto")
    EventPhoto = apps.get_model("wishes", "EventPhoto")
    Wish = apps.get_model("wishes", "Wish")
    WishEvent = apps.get_model("wishes", "WishEvent")
    assert list(EventPhoto.objects.values_list("image", flat=True)) == ["wish-photos/shared.jpg"]
    assert list(Photo.objects.values_list("image", flat=True)) == ["wish-photos/own.jpg"]
    assert Wish.objects.get(pk=first.pk).fulfil_note == "在集中兑现活动“七一”中兑现。"
    assert set(WishEvent.objects.values_list("audience", flat=True)) == {"staff"}


@pytest.fixture
def before_category_english():
    apps = migrate([("wishes", "0010_category_english_names")])
    yield apps
    migrate(latest())


def test_the_default_categories_get_their_english_and_edits_are_kept(before_category_english):
    Category = before_category_english.get_model("wishes", "Category")

    def category(name, help_text, **fields):
        Category.objects.update_or_create(name=name, defaults={"help_text": help_text, **fields})

    category("生活物资", "米面油、衣被、家电等日常生活用品。请写清数量和规格，例如“大米10斤”。")
    category("学习用品", "书包、文具。请写明孩子就读的学校。")  # a superuser rewrote the help
    category(
        "其他", "以上类别都不合适时选这里，请尽量说清楚需要什么帮助。", name_en="Anything else"
    )
    category("助残服务", "陪同出行、代购药品等。")  # not one of the defaults

    target = [("wishes", "0011_english_for_default_categories")]
    migrate(target)
    Category = (
        MigrationExecutor(connection)
        .loader.project_state(target)
        .apps.get_model("wishes", "Category")
    )
    english = {c.name: (c.name_en, c.help_text_en[:14]) for c in Category.objects.all()}
    assert english["生活物资"] == ("Daily necessities", "Everyday essen")
    assert english["学习用品"] == ("School supplies", "")  # the English would not match the help
    assert (english["其他"][0], english["助残服务"]) == ("Anything else", ("", ""))
