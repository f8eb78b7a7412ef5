"""The wish life cycle's moves, as methods every Wish has (see lifecycle.py for the table).

Each move locks the row, checks the state and the actor, applies the change, writes related
rows and one immutable timeline event, all in one transaction. Nothing else writes status.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import scope_of
from communities.models import Organisation
from notices.service import notify, notify_resident, staff_of

from .. import versions
from ..lifecycle import MOVES, NOTE_AUDIENCE, Move, Status, WishError, moves_from
from ..masking import mask_numbers
from ..policy import what_user_sees
from .records import Claim, WishEvent, WishPhoto

if TYPE_CHECKING:
    from accounts.models import User

    from .wish import Category, Wish


class WishMoves:
    """Mixed into Wish: one method per move of the life cycle."""

    def check_move(self, name: str, by: User | None, *, seen_status: str | None = None) -> None:
        """Raise WishError if `by` may not make move `name` now (None is the system).

        `seen_status` is what the actor last saw: if the move was possible from there, someone
        else changed the wish in between, which is a conflict rather than a mistake.
        """
        move = MOVES[name]
        if self.status not in move.sources:
            if seen_status is not None and seen_status in move.sources:
                raise WishError(
                    _("手慢了一步：这个心愿刚刚已被他人处理（现在是“%(status)s”）。")
                    % {"status": self.get_status_display()},
                    code="conflict",
                )
            raise WishError(
                _("心愿现在是“%(status)s”，不能%(move)s。")
                % {"status": self.get_status_display(), "move": move.label},
                code="state",
            )
        if by is not None and (refusal := move.refusal_for(by, self)) is not None:
            raise WishError(refusal, code="forbidden")

    def available_moves(self, user: User) -> list[Move]:
        """The moves this user may make now: what templates turn into buttons."""
        if not user.is_authenticated:
            return []
        return [move for move in moves_from(self.status) if move.refusal_for(user, self) is None]

    # ----- the life cycle ------------------------------------------------------------------

    @classmethod
    def submit(cls, *, by: User | None, photos: Iterable[File] = (), **fields: Any) -> Wish:
        """Create a wish awaiting review and start its timeline."""
        if fields.get("channel") is None:
            fields["channel"] = cls.Channel.ONLINE
        wish = cls(entered_by=by, **fields)
        wish.full_clean()
        wish.save_submitted(by=by, photos=photos)
        return wish

    def save_submitted(self, *, by: User | None, photos: Iterable[File] = ()) -> None:
        """Save a new, validated wish as awaiting review, with the first timeline event."""
        if not self._state.adding:
            raise WishError(_("这个心愿已经提交过了。"), code="invalid")
        self.status = Status.SUBMITTED
        with transaction.atomic():
            self.save()
            for photo in photos:
                WishPhoto.objects.create(
                    wish=self, image=photo, kind=WishPhoto.Kind.REQUEST, uploaded_by=by
                )
            WishEvent.objects.create(
                wish=self,
                actor=by,
                action="submit",
                from_status="",
                to_status=Status.SUBMITTED,
                note=self.get_channel_display(),
                audience=NOTE_AUDIENCE["submit"],
            )
            notify(
                "wish_submitted",
                staff_of(self),
                wish=self,
                actor=by,
                community=str(self.community),
                channel=self.channel,
            )

    def _move(
        self,
        name: str,
        by: User | None,
        *,
        note: str = "",
        changes: dict[str, Any] | None = None,
        before=None,
        after=None,
        audience: str | None = None,
    ) -> WishEvent:
        """Run one move: lock the row, check state and actor, apply, record, all or nothing.

        `by=None` is the system itself (automatic release), which skips the actor rule.
        `before(wish)` may refuse with WishError; `after(wish)` writes related rows.
        """
        move = MOVES[name]
        seen_status = self.status
        try:
            with transaction.atomic():
                wish = type(self).objects.select_for_update().get(pk=self.pk)
                wish.check_move(name, by, seen_status=seen_status)
                if before is not None:
                    before(wish)
                from_status = wish.status
                wish.status = move.target_from(from_status)
                for field, value in (changes or {}).items():
                    setattr(wish, field, value)
                wish._in_transition = True
                try:
                    wish.save()
                finally:
                    wish._in_transition = False
                if after is not None:
                    after(wish)
                event = WishEvent.objects.create(
                    wish=wish,
                    actor=by,
                    action=name,
                    from_status=from_status,
                    to_status=wish.status,
                    note=note,
                    audience=audience or NOTE_AUDIENCE[name],
                )
        except IntegrityError as exc:
            # The database constraint (one open claim per wish) caught a race.
            raise WishError(_("手慢了一步：这个心愿刚刚已被他人认领。"), code="conflict") from exc
        self.refresh_from_db()
        return event

    def approve(
        self,
        *,
        by: User,
        category: Category | None = None,
        priority: str | None = None,
        target_group: str | None = None,
        delivery_note: str | None = None,
        note: str = "",
    ) -> WishEvent:
        """Publish the wish into the 心愿清单, optionally fixing its category, priority, group,
        and leaving a note for whoever delivers it."""
        now = timezone.now()
        changes: dict[str, Any] = {"reviewed_by": by, "reviewed_at": now, "published_at": now}
        if category is not None:
            changes["category"] = category
        if priority:
            changes["priority"] = priority
        if target_group is not None:
            changes["target_group"] = target_group
        if delivery_note is not None:
            changes["delivery_note"] = delivery_note.strip()
        return self._move(
            "approve",
            by,
            note=note,
            changes=changes,
            after=lambda wish: notify_resident("wish_approved", wish, actor=by),
        )

    def reject(self, *, by: User, reason: str) -> WishEvent:
        reason = _required(reason, _("请填写不予通过的原因，居民会看到这条说明。"))
        changes = {"reviewed_by": by, "reviewed_at": timezone.now(), "reject_reason": reason}
        return self._move(
            "reject",
            by,
            note=reason,
            changes=changes,
            after=lambda wish: notify_resident("wish_rejected", wish, actor=by, reason=reason),
        )

    def withdraw(self, *, by: User, reason: str = "") -> WishEvent:
        return self._move("withdraw", by, note=reason.strip())

    EDITABLE_FIELDS = frozenset(
        {
            "title",
            "description",
            "category",
            "target_group",
            "kind",
            "public_consent",
            "due_date",
            "estimated_value",
            "priority",
            "grid",
        }
    )

    def edit(self, *, by: User, **changes: Any) -> WishEvent | None:
        """Change details while the wish waits for review; the timeline says what changed.

        Returns None, writing nothing, when nothing differs from what is saved.
        """
        if unknown := set(changes) - self.EDITABLE_FIELDS:
            raise ValueError(f"not editable: {sorted(unknown)}")
        changed = [name for name, value in changes.items() if getattr(self, name) != value]
        if not changed:
            return None
        labels = "、".join(str(self._meta.get_field(name).verbose_name) for name in changed)
        note = str(_("修改了：%(fields)s") % {"fields": labels})
        return self._move("edit", by, note=note, changes={n: changes[n] for n in changed})

    def claim(
        self,
        *,
        by: User,
        organisation: Organisation | None = None,
        due_date: datetime.date | None = None,
    ) -> WishEvent:
        """A registered volunteer takes the wish on, alone or for their organisation."""

        def check(wish: Wish) -> None:
            if organisation is not None and organisation.pk not in scope_of(by).organisations:
                raise WishError(
                    _("您不是该单位经核实的成员，不能以单位名义认领。"), code="forbidden"
                )
            if (
                organisation is not None
                and not organisation.communities.filter(pk=wish.community_id).exists()
            ):
                raise WishError(
                    _("%(org)s 没有在%(community)s报到，不能以该单位名义认领。")
                    % {"org": organisation, "community": wish.community},
                    code="forbidden",
                )

        def create_claim(wish: Wish) -> None:
            claim = Claim.objects.create(
                wish=wish,
                volunteer=by,
                organisation=organisation,
                state=Claim.State.ACTIVE,
                accepted_at=now,
                due_date=due_date or wish.due_date,
            )
            notify_resident("wish_claimed", wish, actor=by, who=claim.holder_display)

        now = timezone.now()
        note = str(_("以%(org)s名义认领") % {"org": organisation}) if organisation else ""
        return self._move(
            "claim",
            by,
            note=note,
            changes={"claimed_at": now},
            before=check,
            after=create_claim,
        )

    def dispatch(
        self,
        *,
        by: User,
        volunteer: User | None = None,
        organisation: Organisation | None = None,
        due_date: datetime.date | None = None,
        note: str = "",
    ) -> WishEvent:
        """社区派单: offer the wish to one volunteer or one organisation, to accept or decline."""
        if (volunteer is None) == (organisation is None):
            raise WishError(_("请选择一位志愿者或一个单位（二选一）。"), code="invalid")

        def check(wish: Wish) -> None:
            if (
                volunteer is not None
                and wish.community_id not in scope_of(volunteer).volunteer_communities
            ):
                raise WishError(
                    _("%(name)s 还没有在%(community)s报到（或未通过审核），不能派单给他/她。")
                    % {"name": volunteer, "community": wish.community},
                    code="invalid",
                )
            if (
                organisation is not None
                and not organisation.communities.filter(pk=wish.community_id).exists()
            ):
                raise WishError(
                    _("%(org)s 没有在%(community)s报到，不能派单给该单位。")
                    % {"org": organisation, "community": wish.community},
                    code="invalid",
                )

        def create_offer(wish: Wish) -> None:
            offer = Claim.objects.create(
                wish=wish,
                volunteer=volunteer,
                organisation=organisation,
                dispatched_by=by,
                state=Claim.State.OFFERED,
                due_date=due_date or wish.due_date,
                note=note,
            )
            notify("dispatched", offer.holders(), wish=wish, actor=by)

        recipient = volunteer or organisation
        event_note = str(_("派给：%(who)s") % {"who": recipient})
        if note.strip():
            event_note += f"；{note.strip()}"
        return self._move("dispatch", by, note=event_note, before=check, after=create_offer)

    def accept(self, *, by: User) -> WishEvent:
        """The volunteer or organisation member a dispatch names takes it on."""
        now = timezone.now()

        def accept_offer(wish: Wish) -> None:
            claim = wish.open_claim()
            claim.state = Claim.State.ACTIVE
            claim.accepted_at = now
            claim.volunteer = by
            claim.save(update_fields=["state", "accepted_at", "volunteer"])
            notify_resident("wish_claimed", wish, actor=by, who=claim.holder_display)

        return self._move("accept", by, changes={"claimed_at": now}, after=accept_offer)

    def decline(self, *, by: User | None, reason: str, reason_code: str = "") -> WishEvent:
        """Turn a dispatch down; the wish goes back to the published list."""
        reason = _required(reason, _("请说明退回派单的原因，方便社区重新安排。"))

        def end_offer(wish: Wish) -> None:
            offer = wish.open_claim()
            _end_open_claim(wish, Claim.State.DECLINED, reason)
            if offer.dispatched_by_id and (by is None or offer.dispatched_by_id != by.pk):
                notify(
                    "declined",
                    [offer.dispatched_by],
                    wish=wish,
                    actor=by,
                    free_text=["reason"],
                    who=offer.holder_display,
                    reason=reason,
                    reason_code=reason_code,
                )

        return self._move("decline", by, note=reason, after=end_offer)

    def release(self, *, by: User | None, reason: str, reason_code: str = "") -> WishEvent:
        """Give a claim up; the wish goes back to the published list for someone else."""
        reason = _required(reason, _("请说明放弃认领的原因。"))

        def end_claim(wish: Wish) -> None:
            claim = wish.open_claim()
            _end_open_claim(wish, Claim.State.RELEASED, reason)
            holders = claim.holders()
            if by is None or by not in holders:
                notify(
                    "released",
                    holders,
                    wish=wish,
                    actor=by,
                    free_text=["reason"],
                    reason=reason,
                    reason_code=reason_code,
                )

        return self._move("release", by, note=reason, changes={"claimed_at": None}, after=end_claim)

    def fulfil(
        self,
        *,
        by: User,
        note: str,
        photos: Iterable[File] = (),
        photo_kind: str = WishPhoto.Kind.FULFILMENT,
    ) -> WishEvent:
        """The claimer reports the wish came true, with up to six photos."""
        note = _required(note, _("请简单说明兑现情况，例如送了什么、什么时候送到。"))
        photos = list(photos)
        if len(photos) > WishPhoto.MAX_PER_REPORT:
            raise WishError(
                _("最多上传%(n)d张照片。") % {"n": WishPhoto.MAX_PER_REPORT}, code="invalid"
            )

        def record(wish: Wish) -> None:
            claim = wish.open_claim()
            _end_open_claim(wish, Claim.State.FULFILLED, "")
            for photo in photos:
                WishPhoto.objects.create(wish=wish, image=photo, kind=photo_kind, uploaded_by=by)
            who = claim.holder_display if claim else by.display_name
            notify_resident("wish_fulfilled", wish, actor=by, who=who)

        return self._move(
            "fulfil",
            by,
            note=note,
            changes={"fulfilled_at": timezone.now(), "fulfil_note": note},
            after=record,
        )

    def confirm(self, *, by: User, thanks: str = "", rating: int | None = None) -> WishEvent:
        """The resident (or staff for them) confirms receipt, with optional thanks and rating."""
        if rating is not None and not (1 <= int(rating) <= 5):
            raise WishError(_("评分请选择1到5颗星。"), code="invalid")
        thanks = (thanks or "").strip()
        changes = {
            "confirmed_at": timezone.now(),
            "thanks_note": thanks,
            "rating": int(rating) if rating is not None else None,
        }

        def thank(wish: Wish) -> None:
            done = wish.claims.filter(state=Claim.State.FULFILLED).order_by("-ended_at").first()
            if done is None or done.volunteer_id is None:
                return
            notify(
                "thanked",
                [done.volunteer],
                wish=wish,
                actor=by,
                free_text=["thanks"],
                who=wish.masked_name,
                rating=changes["rating"],
                thanks=thanks,
            )

        return self._move("confirm", by, note=thanks, changes=changes, after=thank)

    def remind(self, *, by: User | None, note: str = "") -> WishEvent:
        """催办: nudge whoever holds the wish; their inbox and the timeline both say so."""
        now = timezone.now()
        note = (note or "").strip()
        default = _("请尽快处理心愿“%(title)s”，如有困难可以在“我的认领”里放弃或退回。")

        def nudge(wish: Wish) -> None:
            claim = wish.open_claim()
            claim.reminded_at = now
            claim.save(update_fields=["reminded_at"])
            notify("remind", claim.holders(), wish=wish, actor=by, free_text=["note"], note=note)

        text = note or str(default) % {"title": self.title}

        return self._move("remind", by, note=text, after=nudge)

    def escalate(self, *, by: User | None) -> WishEvent:
        """Tell the street admins a wish has waited too long for anyone to take it on."""
        from accounts.models import StaffRole, User

        days = self.days_waiting or 0
        message = _("%(community)s的心愿“%(title)s”已等待%(days)d天无人认领，请协调。")
        text = str(message) % {"community": self.community, "title": self.title, "days": days}

        def tell_street(wish: Wish) -> None:
            admins = User.objects.filter(
                is_active=True,
                staff_roles__role=StaffRole.Role.STREET_ADMIN,
                staff_roles__street=wish.community.street_id,
            ).distinct()
            notify(
                "escalated", admins, wish=wish, actor=by, community=str(wish.community), days=days
            )

        return self._move(
            "escalate", by, note=text, changes={"escalated_at": timezone.now()}, after=tell_street
        )

    def close(self, *, by: User | None, reason: str) -> WishEvent:
        """无法实现: stop the wish, kept apart from fulfilled ones and counted apart."""
        reason = _required(reason, _("请说明无法实现的原因。"))

        def stop(wish: Wish) -> None:
            claim = wish.open_claim()
            _end_open_claim(wish, Claim.State.CANCELLED, reason)
            notify_resident("wish_closed", wish, actor=by, reason=reason)
            if claim is not None:
                notify(
                    "released",
                    claim.holders(),
                    wish=wish,
                    actor=by,
                    free_text=["reason"],
                    reason=reason,
                )

        return self._move(
            "close",
            by,
            note=reason,
            changes={"closed_at": timezone.now(), "close_reason": reason},
            after=stop,
        )


def text_for(wish: Wish, user: User, text: str) -> str:
    """Free text about a wish (a reason, a remark) as this person may read it."""
    if not text or what_user_sees(wish, user).sees_text_unmasked:
        return text
    return mask_numbers(text)


def _required(text: str, message) -> str:
    text = (text or "").strip()
    if not text:
        raise WishError(message, code="invalid")
    return text


def _end_open_claim(wish: Wish, state: str, reason: str) -> None:
    wish.claims.filter(state__in=Claim.OPEN_STATES).update(
        state=state, ended_at=timezone.now(), end_reason=reason
    )
    versions.bump_wishes()  # the update sends no signal
