"""心愿类别: the city's catalogue is one list (superusers edit it in the admin); each community
chooses which of its categories it offers, and residents there see only those."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...models import Category
from .base import chosen_communities, community_staff_required


class OfferedCategoriesForm(forms.Form):
    offered = forms.ModelMultipleChoiceField(
        label=gettext_lazy("本社区提供的心愿类别"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不勾选的类别，本社区居民填写心愿时不会看到。"),
    )


@community_staff_required
def categories(request):
    communities, picked = chosen_communities(request, whole=True)
    community = picked or (communities[0] if len(communities) == 1 else None)
    if community is None:
        return render(
            request,
            "staff/categories.html",
            {"communities": communities, "picked": None, "community": None},
        )
    active = Category.objects.filter(is_active=True)
    offered = active.exclude(hidden_in=community)
    form = OfferedCategoriesForm(request.POST or None, initial={"offered": list(offered)})
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["offered"])
        if not chosen:
            form.add_error("offered", _("至少要提供一个类别，否则居民无法填写心愿。"))
        else:
            hidden = [category for category in active if category not in chosen]
            community.hidden_categories.remove(*active)
            community.hidden_categories.add(*hidden)
            messages.success(
                request,
                _("已保存%(community)s提供的心愿类别。") % {"community": community},
            )
            return redirect(f"{request.path}?community={community.pk}")
    return render(
        request,
        "staff/categories.html",
        {"communities": communities, "picked": picked, "community": community, "form": form},
    )
