"""Keeping the photos a person chose when their form comes back with a mistake to fix.

A browser cannot put a chosen file back into a file input, so without this an old man who
forgot the category would lose the photo he took, without a word. The photos that passed their
own checks are held (already re-encoded) under a random key; the form shows them, ticked, and
sends the keys with the next try. Only their owner can see or use them; a day later they go
(`sweep_wishes`).
"""

from __future__ import annotations

import uuid

from django import forms
from django.http import HttpRequest

from .models import HeldPhoto

FIELD = "held_photos"
MOST = 6


def held_in(request: HttpRequest) -> list[HeldPhoto]:
    """The held photos still ticked on the form this person sent."""
    if request.method != "POST" or not request.user.is_authenticated:
        return []
    keys = []
    for value in request.POST.getlist(FIELD)[:MOST]:
        try:
            keys.append(uuid.UUID(value))
        except ValueError:
            continue
    if not keys:
        return []
    return list(
        HeldPhoto.objects.fresh().filter(owner=request.user, key__in=keys).order_by("created_at")
    )


def hold(request: HttpRequest, form: forms.BaseForm, field: str) -> list[HeldPhoto]:
    """After a form failed: hold the photos in `field` that passed their own checks."""
    photos = getattr(form, "cleaned_data", {}).get(field) or []
    return [HeldPhoto.objects.create(owner=request.user, image=photo) for photo in photos]


def discard(held: list[HeldPhoto]) -> None:
    """They are part of a saved wish or report now (as copies): the held ones go."""
    if held:
        HeldPhoto.objects.filter(pk__in=[photo.pk for photo in held]).discard()
