from django.core.management.base import BaseCommand

from notices.digests import send_digests


class Command(BaseCommand):
    help = "Send today's notice digests (once a day; running it again the same day sends nothing)."

    def handle(self, *args, **options):
        made = send_digests()
        self.stdout.write(f"digests made: {made}")
