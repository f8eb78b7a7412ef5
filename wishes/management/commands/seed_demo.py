"""python manage.py seed_demo [--volunteers N --residents N --wishes N] [--password P] [--force]"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from communities.models import Community
from notices.models import Notice
from notices.service import in_app_only
from outcomes import rollup
from wishes import tallies
from wishes.models import Wish
from wishes.seed.bulk import generate
from wishes.seed.stories import tell_stories
from wishes.seed.world import build_world
from wishes.seed.year import write_year

DEFAULT_PASSWORD = "microwish-demo"


class Command(BaseCommand):
    help = "建立演示数据（辽源市的街道、社区、单位、人员、心愿故事和今年的心愿），可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--volunteers", type=int, default=0, help="再生成 N 名志愿者")
        parser.add_argument("--residents", type=int, default=0, help="再生成 N 名居民")
        parser.add_argument("--wishes", type=int, default=0, help="再生成 N 个心愿（批量插入）")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="所有演示账号的密码")
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭（生产环境）时也运行")

    def handle(self, *args, volunteers, residents, wishes, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG 已关闭，这可能是生产环境：演示数据会加入演示账号。确需运行请加 --force。"
            )
        for name, value in [
            ("volunteers", volunteers),
            ("residents", residents),
            ("wishes", wishes),
        ]:
            if value < 0:
                raise CommandError(f"--{name} 不能是负数。")
        started = time.perf_counter()
        # The stories' past is told in the app only: nobody is mailed about it.
        with transaction.atomic(), in_app_only():
            first_new = (Notice.objects.order_by("-pk").values_list("pk", flat=True).first()) or 0
            world = build_world(password)
            stories = tell_stories(world)
            # …and already read: the demo starts with an empty badge.
            Notice.objects.filter(pk__gt=first_new, read_at=None).update(read_at=timezone.now())
        # The year around the stories, in bulk inserts: no notices to hold back. The statistics'
        # rollup is counted once at the end, from the wishes: its triggers would add rows per
        # insert and key, and folding a million wishes' worth leaves its tables ten times the
        # size for every report to read through until a VACUUM FULL (49 ms for the city's
        # report at a million instead of 20).
        rollup.uninstall()
        try:
            year = write_year(world)
            counts = generate(world, volunteers=volunteers, residents=residents, wishes=wishes)
        finally:
            rollup.install()  # the triggers back in place, every month counted afresh
        tallies.compact()  # a row per bulk insert and key, folded as the hourly sweep would
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪（{elapsed:.1f} 秒）：新建心愿故事 {stories} 个，"
                f"今年的志愿者 {year.volunteers} 名、居民 {year.residents} 名、"
                f"心愿 {year.wishes} 个；"
                f"另生成志愿者 {counts.volunteers} 名、居民 {counts.residents} 名、"
                f"心愿 {counts.wishes} 个。"
            )
        )
        self.stdout.write(
            f"现有：社区 {Community.objects.count()} 个，用户 {User.objects.count()} 个，"
            f"心愿 {Wish.objects.count()} 个。演示账号密码：{password}"
        )
