from django.core.management.base import BaseCommand

from notices.tasks import retry_due


class Command(BaseCommand):
    help = "Hand deliveries whose pause after a failure is over to the task worker again."

    def handle(self, *args, **options):
        self.stdout.write(f"deliveries queued again: {retry_due()}")
