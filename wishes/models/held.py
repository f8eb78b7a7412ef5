"""Photos held for a form that came back with a mistake to fix, so nobody has to choose the
same photo again (a browser cannot refill a file input). Already re-encoded; kept a day."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..images import random_name, sanitised_if_new

KEEP_FOR = datetime.timedelta(days=1)


def held_path(instance: HeldPhoto, filename: str) -> str:
    """A random name with the suffix of the photo's format, never the uploaded name's."""
    return random_name("held-photos", instance.image)


class HeldPhotoQuerySet(models.QuerySet):
    def fresh(self) -> HeldPhotoQuerySet:
        return self.filter(created_at__gte=timezone.now() - KEEP_FOR)

    def stale(self) -> HeldPhotoQuerySet:
        return self.filter(created_at__lt=timezone.now() - KEEP_FOR)

    def discard(self) -> int:
        """Delete the rows, and their files once the transaction is kept."""
        files = [(photo.image.storage, photo.image.name) for photo in self]
        count, _ = self.delete()
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
        return count


class HeldPhoto(models.Model):
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("上传人")
    )
    image = models.ImageField(_("照片"), upload_to=held_path)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = HeldPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("暂存照片")
        verbose_name_plural = _("暂存照片")

    def __str__(self) -> str:
        return str(self.key)

    def save(self, *args, **kwargs):
        # Forms hold photos they re-encoded already; anything else is re-encoded here.
        if self._state.adding:
            self.image = sanitised_if_new(self.image)
        super().save(*args, **kwargs)

    def as_upload(self) -> ContentFile:
        """The photo as a new upload, already clean (WishPhoto does not re-encode it)."""
        with self.image.open("rb") as handle:
            upload = ContentFile(handle.read(), name=self.image.name.rsplit("/", 1)[-1])
        upload.sanitised = True
        return upload
