"""Signing up as a resident or volunteer, and the page where people look after their account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import two_factor
from .forms import (
    BecomeVolunteerForm,
    JoinCommunityForm,
    LoginForm,
    OrganisationForm,
    PasswordConfirmForm,
    ProfileForm,
)
from .models import Resident, User, VolunteerProfile, VolunteerRegistration
from .phones import start_phone_change

BACKEND = "accounts.backends.PhoneOrUsernameBackend"


class LoginView(auth_views.LoginView):
    """Log in by phone or username; staff land on their workbench, everyone else at home,
    unless the login was on the way to another page (?next=)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if user.is_community_staff:
            return reverse("staff:index")
        return super().get_default_redirect_url()


def _make_volunteer(user: User, data: dict) -> VolunteerProfile:
    """A volunteer profile with a pending 双报到 registration: staff decide before any claim."""
    profile = VolunteerProfile.objects.create(
        user=user, is_party_member=data["is_party_member"], organisation=data["organisation"]
    )
    profile.registrations.create(
        community=data["community"], status=VolunteerRegistration.Status.PENDING
    )
    return profile


def _awaiting_approval(community) -> str:
    return _(
        "您向%(community)s的报到申请已提交。社区工作人员审核通过后，您就可以认领心愿；"
        "在此之前可以先看看大家的心愿。"
    ) % {"community": community.name}


def render_profile(request: HttpRequest, **forms) -> HttpResponse:
    """The profile page, with any bound form that failed shown with its errors."""
    user = request.user
    resident = (
        Resident.objects.select_related("community__street", "grid").filter(user=user).first()
    )
    volunteer = VolunteerProfile.objects.select_related("organisation").filter(user=user).first()
    registrations = volunteer.registrations.select_related("community__street") if volunteer else []
    if volunteer is not None:
        forms.setdefault("join_form", JoinCommunityForm(volunteer=volunteer))
        forms.setdefault("organisation_form", OrganisationForm())
    else:
        initial = {"community": resident.community_id} if resident else {}
        forms.setdefault("volunteer_form", BecomeVolunteerForm(initial=initial))
    forms.setdefault("profile_form", ProfileForm(instance=user, resident=resident))
    if two_factor.has_authenticator(user) and not two_factor.required_for(user):
        forms.setdefault("turn_off_form", PasswordConfirmForm(user=user))
    context = {
        "two_factor": {
            "on": two_factor.has_authenticator(user),
            "required": two_factor.required_for(user),
            "backup_codes_left": two_factor.backup_codes_left(user),
        },
        "resident": resident,
        "volunteer": volunteer,
        "registrations": registrations,
        "staff_roles": user.staff_roles.select_related("community", "street", "grid"),
        **forms,
    }
    return render(request, "accounts/profile.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render_profile(request)
    # A copy, so a rejected edit never leaks into request.user (the header shows its name).
    form = ProfileForm(
        request.POST,
        instance=User.objects.get(pk=request.user.pk),
        resident=Resident.objects.filter(user=request.user).first(),
    )
    if not form.is_valid():
        return render_profile(request, profile_form=form)
    new_phone = form.cleaned_data["phone"] if form.phone_changed else None
    if new_phone:
        # A new number waits for the code sent to it (accounts/phone_views.py).
        form.instance.phone = form.old_phone
    form.save()
    messages.success(request, _("您的资料已保存。"))
    if new_phone:
        return start_phone_change(request, new_phone)
    return redirect("accounts:profile")


@require_POST
@login_required
def join_community(request: HttpRequest) -> HttpResponse:
    volunteer = VolunteerProfile.objects.filter(user=request.user).first()
    if volunteer is None:
        raise PermissionDenied
    form = JoinCommunityForm(request.POST, volunteer=volunteer)
    if not form.is_valid():
        return render_profile(request, join_form=form)
    community = form.cleaned_data["community"]
    _registration, created = volunteer.registrations.get_or_create(community=community)
    if created:
        messages.success(request, _awaiting_approval(community))
    return redirect("accounts:profile")


@require_POST
@login_required
def change_organisation(request: HttpRequest) -> HttpResponse:
    volunteer = VolunteerProfile.objects.filter(user=request.user).first()
    if volunteer is None:
        raise PermissionDenied
    form = OrganisationForm(request.POST)
    if not form.is_valid():
        return render_profile(request, organisation_form=form)
    organisation = form.cleaned_data["organisation"]
    if organisation is not None and organisation.pk == volunteer.organisation_id:
        messages.info(request, _("所在单位没有变化。"))
        return redirect("accounts:profile")
    volunteer.leave_organisation()
    if organisation is not None:
        VolunteerProfile.objects.filter(pk=volunteer.pk).update(organisation=organisation)
        messages.success(
            request,
            _("已改为%(org)s，等待单位联络员或社区工作人员核实。") % {"org": organisation},
        )
    else:
        messages.success(request, _("已清除所在单位。"))
    return redirect("accounts:profile")


@require_POST
@login_required
def become_volunteer(request: HttpRequest) -> HttpResponse:
    if VolunteerProfile.objects.filter(user=request.user).exists():
        messages.info(request, _("您已经是志愿者了。"))
        return redirect("accounts:profile")
    form = BecomeVolunteerForm(request.POST)
    if not form.is_valid():
        return render_profile(request, volunteer_form=form)
    try:
        with transaction.atomic():
            _make_volunteer(request.user, form.cleaned_data)
    except IntegrityError:
        # A double tap created the profile a moment ago.
        return redirect("accounts:profile")
    messages.success(
        request,
        _("感谢您加入志愿者！") + _awaiting_approval(form.cleaned_data["community"]),
    )
    return redirect("accounts:profile")
