"""Failed background tasks are written to the log, whichever backend ran them (the immediate
backend of development would otherwise keep a failure to itself); a notice saved moves its
reader's kept identity on (their unread number, accounts/identity_kept.py)."""

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.tasks.base import TaskResultStatus
from django.tasks.signals import task_finished

from accounts import identity_kept

from .models import Notice

logger = logging.getLogger("notices.tasks")


# Not on post_delete: a receiver there would make every cascade load the notices it deletes.
# Deletes are seen as statements instead (accounts/identity_kept.py, DELETED).
@receiver(post_save, sender=Notice, dispatch_uid="notices.unread.saved")
def unread_changed(sender, instance, using, **kwargs):
    identity_kept.forget([instance.user_id], using)


@receiver(task_finished)
def log_failure(sender, task_result, **kwargs):
    if task_result.status != TaskResultStatus.FAILED or not task_result.errors:
        return
    error = task_result.errors[-1]
    # A delivery that failed has already said so, and is scheduled to try again.
    level = (
        logging.WARNING if error.exception_class_path.endswith("DeliveryFailed") else logging.ERROR
    )
    logger.log(level, "task %s failed:\n%s", task_result.task.name, error.traceback)
