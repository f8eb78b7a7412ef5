"""群众点单: a resident submits a wish, follows it, edits or withdraws it, and confirms it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from .. import held_photos, policy, submission
from ..forms import ConfirmForm, WishForm, WithdrawForm
from ..models import Wish, WishEvent
from ..pagination import CheapCountPaginator
from .base import cannot, perform, visible_wish


@login_required
def wish_create(request):
    draft = submission.own_draft(request.user)
    if draft is None:
        raise PermissionDenied(submission.NOT_A_RESIDENT)
    resident = draft.resident
    if request.method == "POST" and submission.sent_before(request):
        messages.info(request, SENT_ALREADY)
        return redirect("wishes:mine")
    held = held_photos.held_in(request)
    form = WishForm(request.POST or None, request.FILES or None, instance=draft, held=len(held))
    if request.method == "POST":
        if form.is_valid():
            photos = [photo.as_upload() for photo in held] + form.cleaned_data["photo"]
            _wish, new = submission.save_once(request, form, photos=photos)
            held_photos.discard(held)
            if new:
                messages.success(
                    request,
                    _("心愿已提交，社区工作人员审核后会发布到心愿清单。您可以在这里查看进度。"),
                )
            else:
                messages.info(request, SENT_ALREADY)
            return redirect("wishes:mine")
        held = held + held_photos.hold(request, form, "photo")
    return render(
        request, "wishes/wish_form.html", {"form": form, "resident": resident, "held": held}
    )


SENT_ALREADY = gettext_lazy("这个心愿刚才已经提交过了，不会重复提交。您可以在这里查看进度。")


class MyWishesView(LoginRequiredMixin, ListView):
    """我的心愿: every wish made for me, with its progress and timeline."""

    template_name = "wishes/my_wishes.html"
    context_object_name = "wishes"
    paginate_by = 10
    paginator_class = CheapCountPaginator

    def get_queryset(self):
        return (
            Wish.objects.filter(resident__user=self.request.user)
            .select_related("category", "community", "grid", "resident")
            .prefetch_related(
                Prefetch("events", queryset=WishEvent.objects.select_related("actor"))
            )
            .order_by("-created_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_resident"] = hasattr(self.request.user, "resident")
        context["confirm_form"] = ConfirmForm()
        context["withdraw_form"] = WithdrawForm()
        return context


@login_required
def wish_edit(request, pk: int):
    wish = visible_wish(request, pk)
    if refusal := cannot(request, wish, "edit"):
        return refusal
    form = WishForm(request.POST or None, instance=Wish.objects.get(pk=wish.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        return perform(
            request,
            wish,
            lambda w: w.edit(by=request.user, **changes),
            done=lambda event: _("心愿已修改。") if event else _("没有需要保存的修改。"),
            then=redirect("wishes:mine"),
        )
    return render(request, "wishes/wish_form.html", {"form": form, "wish": wish})


@require_POST
@login_required
def withdraw(request, pk: int):
    wish = visible_wish(request, pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return perform(
        request,
        wish,
        lambda w: w.withdraw(by=request.user, reason=reason),
        done=_("心愿已撤回。"),
        then=redirect("wishes:mine"),
    )


@require_POST
@login_required
def confirm(request, pk: int):
    wish = visible_wish(request, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容：评分请选择1到5颗星。"))
        return redirect("wishes:detail", pk=wish.pk)
    own = policy.wishes.is_residents_own(request.user, wish)
    return perform(
        request,
        wish,
        lambda w: w.confirm(
            by=request.user,
            thanks=form.cleaned_data["thanks"],
            rating=form.cleaned_data["rating"],
        ),
        done=_("已确认收到，谢谢您的反馈！"),
        then=redirect("wishes:mine") if own else "wishes:detail",
    )
