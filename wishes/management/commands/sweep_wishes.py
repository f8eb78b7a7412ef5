"""python manage.py sweep_wishes — run it hourly from cron or a systemd timer."""

from django.core.management.base import BaseCommand

from wishes.upkeep import sweep


class Command(BaseCommand):
    help = "释放长期无进展的认领和无人接的派单，把长期无人认领的心愿上报街道。"

    def handle(self, *args, **options):
        report = sweep()
        self.stdout.write(
            f"released {len(report.released)}, declined {len(report.declined)}, "
            f"escalated {len(report.escalated)}, "
            f"awaiting confirmation {len(report.awaiting_confirmation)}, "
            f"skipped {len(report.skipped)}, "
            f"held photos removed {report.held_photos_removed}, "
            f"wish tally rows {report.tally_rows}, "
            f"statistics rollup rows folded into {report.rollup_rows}"
        )
