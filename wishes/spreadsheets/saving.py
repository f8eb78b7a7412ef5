"""Saving a checked upload all or nothing, finding or registering each row's resident."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Resident

from ..models import Wish
from .checking import ImportRow, RowError
from .columns import COLUMNS_BY_KEY, file_language
from .reading import ImportResult

if TYPE_CHECKING:
    from accounts.models import User


class ImportRejected(Exception):
    """Saving found a problem the checks missed; the transaction was rolled back."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


FIELD_COLUMNS = {
    "title": "title",
    "description": "description",
    "category": "category",
    "community": "community",
    "grid": "grid",
    "priority": "priority",
    "target_group": "target_group",
    "estimated_value": "value",
    "due_date": "due_date",
    "public_consent": "consent",
    "name": "name",
    "phone": "phone",
    "address": "address",
    "gender": "gender",
    "situation": "situation",
}


def save_import(result: ImportResult, *, by: User) -> list[Wish]:
    """Save every checked row as a wish awaiting review, in one transaction: all or none.

    Residents are found in the row's community by name and phone, else by name and address,
    else registered anew; blanks in a found resident's record are filled, nothing is overwritten.
    """
    if not result.ok:
        raise ValueError("only a result without errors can be saved")
    with transaction.atomic():
        residents = _Residents(result.rows, by)
        wishes = []
        for row in result.rows:
            try:
                resident = residents.for_row(row)
                wish = Wish.submit(
                    by=by,
                    channel=Wish.Channel.IMPORT,
                    kind=Wish.Kind.INDIVIDUAL,
                    title=row.title,
                    description=row.description,
                    category=row.category,
                    community=row.community,
                    grid=row.grid,
                    resident=resident,
                    priority=row.priority,
                    target_group=row.target_group,
                    estimated_value=row.value,
                    due_date=row.due_date,
                    public_consent=row.consent,
                )
            except ValidationError as error:
                raise ImportRejected(_errors_of(row.number, error)) from error
            wishes.append(wish)
    return wishes


def _errors_of(number: int, error: ValidationError) -> list[RowError]:
    with file_language():
        headers = {key: str(column.header) for key, column in COLUMNS_BY_KEY.items()}
    found = []
    for name, messages in error.message_dict.items():
        header = headers.get(FIELD_COLUMNS.get(name, ""), "")
        found.extend(RowError(number, header, message) for message in messages)
    return found


class _Residents:
    """Finds or registers each row's resident, loading the candidates in one query."""

    FILLABLE = ("grid", "gender", "phone", "address", "situation")

    def __init__(self, rows: list[ImportRow], by: User):
        self.by = by
        self.by_phone: dict[tuple[int, str, str], Resident] = {}
        self.by_address: dict[tuple[int, str, str], Resident] = {}
        # Only records staff keep for people without a login: anyone can sign up under a name and
        # a phone number, and an import must not hand such an account a real resident's wish.
        candidates = Resident.objects.filter(
            community__in={row.community.pk for row in rows},
            name__in={row.name for row in rows},
            user__isnull=True,
        ).order_by("pk")
        for resident in candidates:
            self._remember(resident)

    def _remember(self, resident: Resident) -> None:
        if resident.phone:
            self.by_phone.setdefault(
                (resident.community_id, resident.name, resident.phone), resident
            )
        if resident.address:
            self.by_address.setdefault(
                (resident.community_id, resident.name, resident.address), resident
            )

    def for_row(self, row: ImportRow) -> Resident:
        resident = None
        if row.phone:
            resident = self.by_phone.get((row.community.pk, row.name, row.phone))
        elif row.address:
            resident = self.by_address.get((row.community.pk, row.name, row.address))
        if resident is None:
            resident = Resident(
                community=row.community,
                name=row.name,
                grid=row.grid,
                gender=row.gender,
                phone=row.phone,
                address=row.address,
                situation=row.situation,
                created_by=self.by,
            )
            resident.full_clean()
            resident.save()
        else:
            changed = [name for name in self.FILLABLE if self._fill(resident, name, row)]
            if changed:
                resident.full_clean()
                resident.save(update_fields=changed)
        self._remember(resident)
        return resident

    @staticmethod
    def _fill(resident: Resident, name: str, row: ImportRow) -> bool:
        new = row.grid if name == "grid" else getattr(row, name)
        if new and not getattr(resident, name):
            setattr(resident, name, new)
            return True
        return False
