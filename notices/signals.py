"""Failed background tasks are written to the log, whichever backend ran them (the immediate
backend of development would otherwise keep a failure to itself)."""

import logging

from django.dispatch import receiver
from django.tasks.base import TaskResultStatus
from django.tasks.signals import task_finished

logger = logging.getLogger("notices.tasks")


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
