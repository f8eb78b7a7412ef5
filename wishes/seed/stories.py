"""The seed's stories: real kinds of wishes, each walked through the life-cycle methods.

Each step runs the same method a person would trigger, then its timestamps are moved back to
the story's day, so the timeline reads like a programme that has been running for weeks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pgtrigger
from django.db import models
from django.utils import timezone

from audit.history import UPDATE_TRIGGER
from wishes.models import Category, Claim, FollowUp, Wish, WishEvent

from .world import World

W = Wish


@dataclass
class Story:
    title: str
    description: str
    category: str
    community: str
    grid: str | None
    resident: str | None
    entered_by: str
    channel: str
    days_ago: int
    steps: list[tuple[int, str, str, dict]] = field(default_factory=list)
    kind: str = W.Kind.INDIVIDUAL
    priority: str = W.Priority.NORMAL
    target_group: str = ""
    estimated_value: str | None = None
    public_consent: bool = True


STORIES = [
    Story(
        title="为肺癌晚期患者送一台家用呼吸机",
        description="刘大爷肺癌晚期，在家靠制氧机维持，夜里经常憋醒。医生建议配一台家用无创呼吸机，"
        "家里实在拿不出钱，希望能得到帮助。",
        category="医疗康复",
        community="福阳社区",
        grid="明珠花园第二网格",
        resident="刘建国",
        entered_by="grid_mingzhu",
        channel=W.Channel.VISIT,
        days_ago=45,
        kind=W.Kind.INDIVIDUAL,
        priority=W.Priority.URGENT,
        target_group=W.TargetGroup.ILL,
        estimated_value="3800",
        # A grave illness: the family asked that it stay within the community.
        public_consent=False,
        steps=[
            (44, "approve", "staff_fuyang", {}),
            (
                44,
                "dispatch",
                "staff_fuyang",
                {"organisation": "市税务局稽查局党支部", "note": "病情紧急，请尽快联系家属"},
            ),
            (43, "accept", "volunteer1", {}),
            (
                38,
                "fulfil",
                "volunteer1",
                {"note": "支部32名党员共同出资购买呼吸机一台，已送到家中并教会家属使用。"},
            ),
            (
                37,
                "confirm",
                "grid_mingzhu",
                {"thanks": "老人和家属一再说谢谢党员同志，晚上终于能睡个整觉了。", "rating": 5},
            ),
        ],
    ),
    Story(
        title="米、面、油各一份",
        description="我肢体一级残疾，常年卧床，全靠七十多岁的老母亲照顾。家里米面油快吃完了，"
        "母亲腿脚不好扛不动，希望有人帮忙送一袋大米、一袋面粉和一桶豆油。",
        category="生活物资",
        community="福阳社区",
        grid="明珠花园第二网格",
        resident="王志强",
        entered_by="resident1",
        channel=W.Channel.ONLINE,
        days_ago=6,
        target_group=W.TargetGroup.DISABLED,
        estimated_value="260",
        steps=[
            (5, "approve", "staff_fuyang", {}),
            (4, "claim", "volunteer2", {}),
        ],
    ),
    Story(
        title="两个孩子的新学期学习用品",
        description="家里两个孩子分别上小学二年级和五年级，想要两个书包、文具盒和一些练习本，"
        "五年级的孩子还想要一本新华字典。",
        category="学习用品",
        community="福阳社区",
        grid="福阳小区网格",
        resident="孙丽",
        entered_by="resident2",
        channel=W.Channel.ONLINE,
        days_ago=3,
        target_group=W.TargetGroup.CHILDREN,
        estimated_value="300",
        steps=[(2, "approve", "staff_fuyang", {})],
    ),
    Story(
        title="房屋继承问题的法律咨询",
        description="老伴去世后，侄子说房子有他一份，想请懂法律的人给讲讲该怎么办，最好能上门，"
        "我腿脚不方便。",
        category="法律服务",
        community="福阳社区",
        grid="明珠花园第一网格",
        resident="陈秀英",
        entered_by="staff_fuyang",
        channel=W.Channel.PHONE,
        days_ago=4,
        target_group=W.TargetGroup.ELDERLY,
        public_consent=False,  # a family dispute: shown only within the community
        steps=[
            (3, "approve", "staff_fuyang", {}),
            (
                1,
                "dispatch",
                "staff_fuyang",
                {"organisation": "市司法局党支部", "note": "老人独居，请上门提供咨询"},
            ),
        ],
    ),
    Story(
        title="龙山公园公厕年久失修",
        description="龙山公园东门的公共厕所门锁坏了、水箱漏水，晨练的老人和带孩子的家长都不方便，"
        "希望能尽快修好。",
        category="公共设施",
        community="福阳社区",
        grid=None,
        resident=None,
        entered_by="grid_mingzhu",
        channel=W.Channel.VISIT,
        days_ago=12,
        kind=W.Kind.COLLECTIVE,
        target_group=W.TargetGroup.PUBLIC,
        steps=[
            (11, "approve", "staff_fuyang", {}),
            (
                10,
                "dispatch",
                "staff_fuyang",
                {"organisation": "园林管理中心党支部", "note": "请派维修班组现场查看"},
            ),
            (9, "accept", "volunteer6", {}),
        ],
    ),
    Story(
        title="明珠花园到龙山公园的步道没有路灯",
        description="小区后门通往龙山公园的步道晚上一片漆黑，老人散步摔倒过好几次，希望能装上路灯。",
        category="公共设施",
        community="福阳社区",
        grid="明珠花园第二网格",
        resident=None,
        entered_by="grid_mingzhu",
        channel=W.Channel.VISIT,
        days_ago=30,
        kind=W.Kind.COLLECTIVE,
        target_group=W.TargetGroup.PUBLIC,
        steps=[
            (29, "approve", "staff_fuyang", {}),
            (28, "dispatch", "staff_fuyang", {"organisation": "园林管理中心党支部"}),
            (27, "accept", "volunteer6", {}),
            (8, "fulfil", "volunteer6", {"note": "步道新装太阳能路灯12盏，已全部亮灯。"}),
        ],
    ),
    Story(
        title="一口新电饭锅",
        description="家里的电饭锅用了十几年，内胆漏了，煮饭总是夹生，想换一口小一点的电饭锅。",
        category="生活物资",
        community="福阳社区",
        grid="明珠花园第一网格",
        resident="陈秀英",
        entered_by="grid_mingzhu",
        channel=W.Channel.VISIT,
        days_ago=10,
        target_group=W.TargetGroup.ELDERLY,
        estimated_value="200",
        steps=[
            (9, "approve", "staff_fuyang", {}),
            (7, "claim", "volunteer3", {}),
        ],
    ),
    Story(
        title="冬天的厚棉被和棉拖鞋",
        description="屋里暖气不太热，想要一床厚棉被和一双棉拖鞋（42码）。",
        category="生活物资",
        community="福阳社区",
        grid="明珠花园第二网格",
        resident="王志强",
        entered_by="resident1",
        channel=W.Channel.ONLINE,
        days_ago=8,
        target_group=W.TargetGroup.DISABLED,
        estimated_value="350",
        steps=[
            (
                7,
                "approve",
                "staff_fuyang",
                {"delivery_note": "王大哥常年卧床，敲门后请多等一会儿，他母亲会来开门。"},
            ),
            (6, "claim", "volunteer1", {"organisation": "市税务局稽查局党支部"}),
        ],
    ),
    Story(
        title="想要一辆轮椅",
        description="膝盖不好，走几步就疼，想要一辆轻便的轮椅，方便下楼晒晒太阳。",
        category="医疗康复",
        community="福阳社区",
        grid="明珠花园第二网格",
        resident="周淑芬",
        entered_by="resident4",
        channel=W.Channel.ONLINE,
        days_ago=1,
        target_group=W.TargetGroup.ELDERLY,
        estimated_value="600",
    ),
    Story(
        title="申请两千元生活补助",
        description="最近手头紧，希望能给两千元现金补助。",
        category="其他",
        community="新兴社区",
        grid="新兴第一网格",
        resident="何建军",
        entered_by="resident5",
        channel=W.Channel.ONLINE,
        days_ago=9,
        target_group=W.TargetGroup.LOW_INCOME,
        steps=[
            (
                8,
                "reject",
                "staff_xinxing",
                {
                    "reason": "微心愿不提供现金。社区已为您登记临时救助申请，"
                    "工作人员会电话联系您；需要米面油等物品可以重新提交心愿。"
                },
            )
        ],
    ),
    Story(
        title="冬天的厚棉被",
        description="家里的被子太薄了，想要一床厚棉被过冬。",
        category="生活物资",
        community="新城社区",
        grid="新城第一网格",
        resident="林桂香",
        entered_by="resident6",
        channel=W.Channel.ONLINE,
        days_ago=15,
        target_group=W.TargetGroup.ELDERLY,
        steps=[(14, "withdraw", "resident6", {"reason": "女儿已经寄来了新被子，谢谢社区。"})],
    ),
    Story(
        title="联系一家离家近的养老院",
        description="老人独居，听力不好，希望社区帮忙联系一家离家近、价格合适的养老院床位。",
        category="其他",
        community="新兴社区",
        grid="新兴第二网格",
        resident="杨秀兰",
        entered_by="staff_xinxing",
        channel=W.Channel.PHONE,
        days_ago=40,
        target_group=W.TargetGroup.ELDERLY,
        steps=[
            (39, "approve", "staff_xinxing", {}),
            (
                20,
                "close",
                "staff_xinxing",
                {"reason": "老人已随女儿搬往外地居住，心愿无法在本社区实现。"},
            ),
        ],
    ),
    Story(
        title="冬季取暖煤一吨",
        description="家里烧炉子取暖，今年的煤还没有着落，想要一吨取暖煤。",
        category="生活物资",
        community="新兴社区",
        grid="新兴第一网格",
        resident="何建军",
        entered_by="staff_xinxing",
        channel=W.Channel.VISIT,
        days_ago=20,
        target_group=W.TargetGroup.LOW_INCOME,
        estimated_value="900",
        steps=[
            (19, "approve", "staff_xinxing", {}),
            (18, "claim", "volunteer4", {"organisation": "市司法局党支部"}),
            (12, "fulfil", "volunteer4", {"note": "一吨取暖煤已送到并码放好。"}),
            (11, "confirm", "resident5", {"thanks": "今年冬天不冷了，谢谢！", "rating": 5}),
        ],
    ),
]

STORY_TITLES = [story.title for story in STORIES]


def tell_stories(world: World) -> int:
    """Create every story wish that does not exist yet; return how many were created."""
    # Normally the data migration made these; a flushed database gets them back here.
    categories = {
        name: Category.objects.get_or_create(name=name)[0]
        for name in {story.category for story in STORIES}
    }
    created = 0
    for story in STORIES:
        community = world.communities[story.community]
        if Wish.objects.filter(title=story.title, community=community).exists():
            continue
        _tell(story, world, categories, community)
        created += 1
    _follow_up(world)
    return created


def _follow_up(world: World) -> None:
    """回访: a month after the breathing machine arrived, the grid worker looked in again."""
    wish = Wish.objects.filter(title=STORIES[0].title).first()
    if wish is None or wish.follow_ups.exists():
        return
    FollowUp.objects.create(
        wish=wish,
        visited_by=world.users["grid_mingzhu"],
        visited_on=wish.confirmed_at.date() + datetime.timedelta(days=14),
        method=FollowUp.Method.VISIT,
        satisfaction=FollowUp.Satisfaction.SATISFIED,
        note="呼吸机运转正常，家属已熟练使用；老人夜里能睡整觉，精神好了很多。",
    )


def _tell(story: Story, world: World, categories, community) -> None:
    started = timezone.now()
    submitted_at = started - datetime.timedelta(days=story.days_ago, hours=2)
    wish = Wish.submit(
        by=world.users[story.entered_by],
        title=story.title,
        description=story.description,
        category=categories[story.category],
        community=community,
        grid=world.grids[story.community, story.grid] if story.grid else None,
        resident=world.residents[story.resident] if story.resident else None,
        channel=story.channel,
        kind=story.kind,
        priority=story.priority,
        target_group=story.target_group,
        estimated_value=Decimal(story.estimated_value) if story.estimated_value else None,
        public_consent=story.public_consent,
    )
    _backdate(wish, started, submitted_at)
    for hour, (days_ago, move, actor, arguments) in enumerate(story.steps, start=1):
        started = timezone.now()
        kwargs = dict(arguments)
        if "organisation" in kwargs:
            kwargs["organisation"] = world.organisations[kwargs["organisation"]]
        getattr(wish, move)(by=world.users[actor], **kwargs)
        _backdate(wish, started, started - datetime.timedelta(days=days_ago, hours=-hour))


def _backdate(wish: Wish, since: datetime.datetime, moment: datetime.datetime) -> None:
    """Move every timestamp the last step wrote (at or after `since`) back to `moment`.

    The timeline is append-only in PostgreSQL (audit/history.py); a demo story is the one
    place its times are rewritten, just after the moves wrote them."""
    with pgtrigger.ignore(f"wishes.WishEvent:{UPDATE_TRIGGER}"):
        for model, rows in (
            (Wish, Wish.objects.filter(pk=wish.pk)),
            (Claim, Claim.objects.filter(wish=wish)),
            (WishEvent, WishEvent.objects.filter(wish=wish)),
        ):
            for f in model._meta.concrete_fields:
                if isinstance(f, models.DateTimeField):
                    rows.filter(**{f"{f.name}__gte": since}).update(**{f.name: moment})
    wish.refresh_from_db()
