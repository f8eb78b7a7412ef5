"""集中兑现 / 主题党日: a hand-over event where claimed wishes are delivered together.

Staff attach claimed wishes of the event's community; volunteers sign in on arrival with the
event's short code (or its QR code) inside the sign-in window; afterwards staff mark every
attached wish fulfilled in one action. Status still moves only through `Wish.fulfil`, so each
wish keeps its own timeline event.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Organisation

from ..images import random_name, sanitise_photo, sanitised_if_new
from ..lifecycle import Status, WishError
from ..quotes import quoted
from .records import WishEvent, WishPhoto
from .wish import Wish

if TYPE_CHECKING:
    from accounts.models import User

# No 0/O, 1/I/L: the code is read aloud and typed on phones.
SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SHORT_CODE_LENGTH = 6
# Volunteers arrive early; sign-in opens this long before the event starts.
SIGN_IN_OPENS_BEFORE = datetime.timedelta(minutes=30)


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed into the code box: any case, with stray spaces or dashes."""
    return "".join((text or "").split()).replace("-", "").upper()


def _when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "n月j日 H:i")


class HandoverEventQuerySet(models.QuerySet):
    def managed_by(self, user: User) -> HandoverEventQuerySet:
        """Events this user runs (the access policy's rule); everything else is a 404."""
        from ..policy import events

        return events.managed(user, self)


class HandoverEvent(models.Model):
    community = models.ForeignKey(
        Community, models.PROTECT, related_name="handover_events", verbose_name=_("社区")
    )
    title = models.CharField(
        _("活动名称"), max_length=100, help_text=_("例如：七一主题党日微心愿集中兑现。")
    )
    place = models.CharField(_("活动地点"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    organiser = models.ForeignKey(
        Organisation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="handover_events",
        verbose_name=_("组织单位"),
        help_text=_("组织这次活动的党支部或单位（可不填）。"),
    )
    short_code = models.CharField(
        _("签到码"), max_length=SHORT_CODE_LENGTH, unique=True, editable=False
    )
    note = models.TextField(_("活动说明"), blank=True)
    wishes = models.ManyToManyField(
        Wish, related_name="handover_events", blank=True, verbose_name=_("集中兑现的心愿")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    fulfilled_at = models.DateTimeField(_("集中兑现时间"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("兑现登记人"),
    )
    fulfil_note = models.TextField(_("兑现说明"), blank=True)

    objects = HandoverEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("集中兑现活动")
        verbose_name_plural = _("集中兑现活动")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="handover_event_ends_after_start",
                violation_error_message=_("结束时间要晚于开始时间。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.short_code:
            self.short_code = self._unused_code()
        super().save(*args, **kwargs)

    @classmethod
    def _unused_code(cls) -> str:
        # 31^6 codes: a clash is rare; the unique constraint catches the rarer race.
        while True:
            code = new_short_code()
            if not cls.objects.filter(short_code=code).exists():
                return code

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("结束时间要晚于开始时间。")
        if (
            self.organiser_id
            and self.community_id
            and not self.organiser.communities.filter(pk=self.community_id).exists()
        ):
            errors["organiser"] = _("该单位还没有在这个社区报到（双报到）。")
        if errors:
            raise ValidationError(errors)

    # ----- signing in ----------------------------------------------------------------------

    @property
    def sign_in_opens_at(self) -> datetime.datetime:
        return self.starts_at - SIGN_IN_OPENS_BEFORE

    def sign_in_state(self, at: datetime.datetime | None = None) -> str:
        """ "early", "open" or "closed": where `at` (default now) falls against the window."""
        at = at or timezone.now()
        if at < self.sign_in_opens_at:
            return "early"
        if at > self.ends_at:
            return "closed"
        return "open"

    def sign_in(self, user: User) -> EventAttendance:
        """A volunteer signs themself in on arrival, inside the window and only once."""
        from ..policy import events

        if not events.may_attend(user, self):
            raise WishError(
                _("只有在本社区报到并通过审核的志愿者（以及组织单位经核实的成员）可以签到。"),
                code="forbidden",
            )
        state = self.sign_in_state()
        if state == "early":
            raise WishError(
                _("签到还没有开始：%(title)s从%(opens)s起可以签到。")
                % {"title": quoted(self.title), "opens": _when(self.sign_in_opens_at)},
                code="state",
            )
        if state == "closed":
            raise WishError(
                _("%(title)s已于%(ends)s结束，签到已关闭。如确实到场，请联系社区工作人员补签。")
                % {"title": quoted(self.title), "ends": _when(self.ends_at)},
                code="state",
            )
        return self._attend(user, by=None)

    def add_attendee(self, user: User, *, by: User) -> EventAttendance:
        """Staff record someone who came (or forgot to sign in), at any time."""
        return self._attend(user, by=by)

    def remove_attendee(self, attendance: EventAttendance, *, by: User | None = None) -> None:
        from outcomes.hours import remove_event_credit

        if attendance.event_id != self.pk:
            raise WishError(_("这条签到记录不属于这个活动。"), code="invalid")
        with transaction.atomic():
            remove_event_credit(attendance, by=by)  # not there, no hours (kept on record)
            attendance.delete()

    def _attend(self, user: User, *, by: User | None) -> EventAttendance:
        from outcomes.hours import credit_event_attendance

        existing = self.attendances.filter(user=user).first()
        if existing is None:
            try:
                with transaction.atomic():
                    attendance = EventAttendance.objects.create(event=self, user=user, added_by=by)
                    credit_event_attendance(attendance)  # the event's hours, approved at once
                    return attendance
            except IntegrityError:  # a double tap raced the check above
                existing = self.attendances.get(user=user)
        if by is None:
            message = _("您已经在%(time)s签到过了，不用重复签到。") % {
                "time": _when(existing.signed_in_at)
            }
        else:
            message = _("%(name)s 已经签到过了（%(time)s）。") % {
                "name": user,
                "time": _when(existing.signed_in_at),
            }
        raise WishError(message, code="conflict")

    # ----- wishes --------------------------------------------------------------------------

    def attach(self, wishes: Iterable[Wish]) -> None:
        """Add claimed wishes of this community; refuse them all if any one does not fit."""
        wishes = list(wishes)
        if self.fulfilled_at:
            raise WishError(_("这个活动已经集中兑现，不能再加入心愿。"), code="state")
        busy = dict(
            HandoverEvent.wishes.through.objects.filter(
                wish__in=wishes, handoverevent__fulfilled_at__isnull=True
            )
            .exclude(handoverevent=self)
            .values_list("wish_id", "handoverevent__title")
        )
        problems = []
        for wish in wishes:
            if wish.community_id != self.community_id:
                problems.append(
                    _("“%(title)s”不是%(community)s的心愿")
                    % {"title": wish.title, "community": self.community}
                )
            elif wish.status != Status.CLAIMED:
                problems.append(
                    _("“%(title)s”现在是“%(status)s”")
                    % {"title": wish.title, "status": wish.get_status_display()}
                )
            elif wish.pk in busy:
                problems.append(
                    _("%(title)s已经加入了活动%(event)s")
                    % {"title": quoted(wish.title), "event": quoted(busy[wish.pk])}
                )
        if problems:
            raise WishError(
                _("只有本社区认领中的心愿可以加入集中兑现：%(problems)s。")
                % {"problems": "；".join(str(p) for p in problems)},
                code="invalid",
            )
        with transaction.atomic():
            self.wishes.add(*wishes)
            for wish in wishes:
                self.tell_holders(wish)

    def tell_holders(self, wish: Wish) -> None:
        """Whoever delivers this wish hears when and where the hand-over is."""
        from notices.service import notify

        claim = wish.open_claim()
        if claim is None:
            return
        notify(
            "event_attached",
            claim.holders(),
            wish=wish,
            event=self.title,
            place=self.place,
            starts_at=self.starts_at.isoformat(),
            code=self.short_code,
        )

    def calendar(self) -> bytes:
        """The event as an iCalendar file (.ics) for a phone's calendar."""
        import icalendar

        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//微心愿//Micro-Wish//ZH")
        calendar.add("version", "2.0")
        entry = icalendar.Event()
        entry.add("uid", f"handover-{self.pk}-{self.short_code}@microwish")
        entry.add("summary", self.title)
        entry.add("location", self.place)
        entry.add("dtstart", self.starts_at)
        entry.add("dtend", self.ends_at)
        entry.add("dtstamp", timezone.now())
        entry.add("description", self.note or str(self.community))
        calendar.add_component(entry)
        return calendar.to_ical()

    def detach(self, wish: Wish) -> None:
        if self.fulfilled_at:
            raise WishError(_("这个活动已经集中兑现，不能再移出心愿。"), code="state")
        self.wishes.remove(wish)

    def fulfil_wishes(
        self,
        *,
        by: User,
        note: str,
        photos: Iterable[File] = (),
        per_wish: dict[int, dict] | None = None,
    ) -> list[WishEvent]:
        """Mark every attached wish fulfilled, all or nothing.

        The event's note and photos belong to the event: its staff and the people who were there
        see them, no resident does (they show other residents' homes and items). Each wish gets
        only what was chosen for it in `per_wish` ({wish pk: {"note": …, "photos": […]}}): its own
        note (or a plain line naming the event) and its own copies of its photos. Each wish moves
        through `Wish.fulfil`, so each gets its own timeline event.
        """
        note = (note or "").strip()
        if not note:
            raise WishError(_("请简单说明集中兑现的情况。"), code="invalid")
        photos = list(photos)
        per_wish = per_wish or {}
        if len(photos) > WishPhoto.MAX_PER_REPORT or any(
            len(chosen.get("photos") or ()) > WishPhoto.MAX_PER_REPORT
            for chosen in per_wish.values()
        ):
            raise WishError(
                _("最多上传%(n)d张照片。") % {"n": WishPhoto.MAX_PER_REPORT}, code="invalid"
            )
        default_note = str(_("在集中兑现活动%(title)s中兑现。") % {"title": quoted(self.title)})
        stored: list[tuple[Any, str]] = []
        try:
            with transaction.atomic():
                event = type(self).objects.select_for_update().get(pk=self.pk)
                if event.fulfilled_at:
                    raise WishError(_("这个活动已经集中兑现过了。"), code="conflict")
                wishes = list(
                    Wish.objects.select_for_update()
                    .filter(pk__in=event.wishes.values("pk"))
                    .order_by("pk")
                )
                if not wishes:
                    raise WishError(_("活动还没有加入任何心愿。"), code="invalid")
                moved_on = [wish for wish in wishes if wish.status != Status.CLAIMED]
                if moved_on:
                    raise WishError(
                        _(
                            "以下心愿已不在“认领中”，请先把它们移出活动再集中兑现"
                            "（本次没有做任何改动）：%(list)s。"
                        )
                        % {
                            "list": "；".join(
                                f"“{wish.title}”（{wish.get_status_display()}）"
                                for wish in moved_on
                            )
                        },
                        code="conflict",
                    )
                for photo in photos:
                    image = _store(EventPhoto, photo, stored)
                    EventPhoto.objects.create(event=event, image=image, uploaded_by=by)
                events = []
                for wish in wishes:
                    chosen = per_wish.get(wish.pk, {})
                    own = [_store(WishPhoto, photo, stored) for photo in chosen.get("photos") or ()]
                    events.append(
                        wish.fulfil(
                            by=by,
                            note=(chosen.get("note") or "").strip() or default_note,
                            photos=own,
                            photo_kind=WishPhoto.Kind.HANDOVER,
                        )
                    )
                event.fulfilled_at = timezone.now()
                event.fulfilled_by = by
                event.fulfil_note = note
                event.save(update_fields=["fulfilled_at", "fulfilled_by", "fulfil_note"])
        except BaseException:
            # Rows rolled back; files in storage do not, so take them away too.
            for storage, name in stored:
                storage.delete(name)
            raise
        self.refresh_from_db()
        return events

    def handed_over_photos(self) -> list[EventPhoto]:
        """The event's own photos (for its staff and attendees)."""
        return list(self.photos.all())


def _store(model, photo: File, stored: list) -> File:
    """Save a (sanitised) photo to storage now, so a failure later can take it away again; the
    row then points at the stored file instead of saving a copy."""
    field = model._meta.get_field("image")
    if not getattr(photo, "sanitised", False):
        photo = sanitise_photo(photo)
    name = field.storage.save(
        field.generate_filename(model(image=photo), photo.name),
        photo,
        max_length=field.max_length,
    )
    stored.append((field.storage, name))
    return field.attr_class(None, field, name)


def event_photo_path(instance: EventPhoto, filename: str) -> str:
    """A random name with the suffix of the photo's format: file names must not carry anything
    about the people in the photo, and the uploaded name says nothing about its type."""
    return random_name("event-photos", instance.image)


class EventPhoto(models.Model):
    """A photo of a hand-over event: seen by the event's staff and the people who were there."""

    event = models.ForeignKey(
        HandoverEvent, models.CASCADE, related_name="photos", verbose_name=_("活动")
    )
    image = models.ImageField(_("照片"), upload_to=event_photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.event} · {self.pk}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.image = sanitised_if_new(self.image)
        super().save(*args, **kwargs)


class EventAttendance(models.Model):
    """One person at one event: signed in themself (added_by empty) or added by staff."""

    event = models.ForeignKey(
        HandoverEvent, models.CASCADE, related_name="attendances", verbose_name=_("活动")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="event_attendances",
        verbose_name=_("参加人"),
    )
    signed_in_at = models.DateTimeField(_("签到时间"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("补签人"),
        help_text=_("空表示本人扫码或输入签到码签到。"),
    )

    class Meta:
        verbose_name = _("活动签到")
        verbose_name_plural = _("活动签到")
        ordering = ["signed_in_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                name="one_sign_in_per_event",
                violation_error_message=_("已经签到过了。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.user}"

    @property
    def is_self_sign_in(self) -> bool:
        return self.added_by_id is None
