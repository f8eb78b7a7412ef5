"""社区电话和地址: what the printed list and the WeChat text tell people to call or visit.

Community staff set their own community's; a street admin picks one of theirs. Nothing about a
resident is here, so, as with the categories, nothing goes to the access log.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import TelInput, submit_free_helper
from communities.models import Community

from .base import chosen_communities, community_staff_required

# Dashes a phone keyboard or an input method may offer instead of the hyphen.
DASHES = str.maketrans(dict.fromkeys("‐‑‒–—−", "-"))


class PhoneNumberField(forms.CharField):
    """Full-width digits and odd dashes from a phone's keyboard become plain ones."""

    widget = TelInput

    def to_python(self, value):
        value = unicodedata.normalize("NFKC", super().to_python(value)).translate(DASHES)
        return " ".join(value.split())


class CommunityContactForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = ["phone", "address"]
        field_classes = {"phone": PhoneNumberField}
        labels = {"phone": gettext_lazy("社区电话"), "address": gettext_lazy("社区地址")}
        help_texts = {
            "phone": gettext_lazy(
                "印在打印清单上、写进微信群文字里，供居民和志愿者咨询认领。"
                "例如 0437-3221234 或 0437-3221234 转 801。不填则不显示电话。"
            ),
            "address": gettext_lazy("例如：福阳路88号社区党群服务中心。不填则不显示地址。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"
        self.helper = submit_free_helper()


@community_staff_required
def contact(request):
    communities, picked = chosen_communities(request, whole=True)
    community = picked or (communities[0] if len(communities) == 1 else None)
    if community is None:
        return render(
            request,
            "staff/community.html",
            {"communities": communities, "picked": None, "community": None},
        )
    form = CommunityContactForm(request.POST or None, instance=community)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存%(community)s的电话和地址。") % {"community": community})
        return redirect(f"{request.path}?community={community.pk}")
    return render(
        request,
        "staff/community.html",
        {"communities": communities, "picked": picked, "community": community, "form": form},
    )
