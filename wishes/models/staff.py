"""What community staff keep besides wishes: reusable rejection reasons."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models import Community


class RejectionReason(models.Model):
    """A reason a community often gives when a wish cannot be accepted, picked in one tap."""

    community = models.ForeignKey(
        Community, models.CASCADE, related_name="rejection_reasons", verbose_name=_("社区")
    )
    text = models.CharField(_("原因"), max_length=200)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("常用不予通过原因")
        verbose_name_plural = _("常用不予通过原因")
        ordering = ["community", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "text"], name="unique_reason_per_community"
            )
        ]

    def __str__(self) -> str:
        return self.text


DEFAULT_REJECTION_REASONS = [
    "微心愿不提供现金，如有生活困难请向社区申请临时救助。",
    "心愿超出微心愿的范围（一般在500元以内），社区会协助您通过其他渠道解决。",
    "描述不够清楚，请补充需要的物品数量、规格或具体位置后重新提交。",
    "与您已提交的心愿重复。",
]
