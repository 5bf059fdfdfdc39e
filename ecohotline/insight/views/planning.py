"""Insight pages and API: proactive governance (主动治理) — the planner's proposals and the leader's decisions, task
results, their effect and the 未诉先办 share, and the monthly theme (每月一题).

Thin views over `insight.planner`, `insight.effect`, `insight.themes` (reads) and `insight.services` (writes). The
case texts shown (titles of the cases behind a proposal, a theme's complaints) are masked; no complainant's name or
phone appears."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecohotline.api.errors import field_error, form_errors
from ecohotline.api.files import ERROR
from ecohotline.assessment.access import CanSeeOverview, can_see_overview, overview_required
from ecohotline.cases.access import mask_complainant, visible_cases
from ecohotline.cases.exceptions import ActionForbidden, CaseError
from ecohotline.cases.selectors import category_label
from ecohotline.core.workdays import BEIJING
from ecohotline.insight import effect, planner, services, themes
from ecohotline.insight.forms import PeriodForm, ProposalEditForm, RejectForm, ResultForm, ThemeForm
from ecohotline.insight.models import MonthlyTheme, ProposalStatus, SignalSource, TaskProposal
from ecohotline.org.models import User

DEFAULT_DAYS = 90
LIST_LIMIT = 100
API_LIMIT = 200
CASES_SHOWN = 20

EVIDENCE_LABELS: dict[str, str | Promise] = {
    "alert": gettext_lazy("Alert"), "week_start": gettext_lazy("Week starting"),
    "observed": gettext_lazy("Complaints observed"), "expected": gettext_lazy("Complaints expected"),
    "p_value": gettext_lazy("p-value"), "plan": gettext_lazy("Seasonal plan"), "months": gettext_lazy("Months"),
    "year": gettext_lazy("Year"),
}
STATUS_TABS = {"proposed": [ProposalStatus.PROPOSED],
               "decided": [ProposalStatus.APPROVED, ProposalStatus.EDITED, ProposalStatus.REJECTED],
               "all": list(ProposalStatus)}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _today() -> dt.date:
    return timezone.now().astimezone(BEIJING).date()


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date]:
    form = PeriodForm(request.GET or None)
    end = _today()
    start = end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
        if end < start:
            start = end
    return form, start, end


@overview_required
def plans_page(request: HttpRequest) -> HttpResponse:
    """Proposals to decide (or decided), the "Propose now" button, and the effect of the tasks finished in the
    period with the 未诉先办 share."""
    tab = request.GET.get("tab", "proposed")
    if tab not in (*STATUS_TABS, "effect"):
        tab = "proposed"
    proposals: list[TaskProposal] = []
    if tab != "effect":
        order = ("-score", "-created_at") if tab == "proposed" else ("-created_at", "-pk")
        proposals = list(TaskProposal.objects.filter(status__in=STATUS_TABS[tab])
                         .select_related("team", "street", "case", "decided_by", "theme")
                         .order_by(*order)[:LIST_LIMIT])
    form, start, end = _period(request)
    period = effect.period_effect(start, end) if tab == "effect" else None
    share = effect.proactive_share(start, end) if tab == "effect" else None
    return render(request, "insight/plans.html", {
        "tab": tab, "proposals": proposals, "period_form": form, "start": start, "end": end, "period": period,
        "share": share, "can_decide": services.can_decide(request.user),
        "can_plan": planner.can_run_planner(request.user),
        "counts": {key: TaskProposal.objects.filter(status__in=statuses).count()
                   for key, statuses in STATUS_TABS.items()},
    })


@require_POST
@overview_required
def plans_propose(request: HttpRequest) -> HttpResponse:
    """"Propose now": run the collectors and propose."""
    try:
        made = planner.propose_now(actor=_user(request))
    except ActionForbidden as error:
        raise PermissionDenied(error.detail) from None
    if made:
        messages.success(request, ngettext("%(count)d task proposed.", "%(count)d tasks proposed.", len(made))
                         % {"count": len(made)})
    else:
        messages.info(request, _("Nothing new to propose."))
    return redirect("insight:plans")


def _cases_behind(request: HttpRequest, proposal: TaskProposal) -> list[tuple[Any, str]]:
    cases = visible_cases(_user(request)).filter(pk__in=proposal.case_ids[:CASES_SHOWN]).order_by("-received_at")
    return [(case, mask_complainant(case, case.title or case.description[:80])) for case in cases]


def _plan_page(request: HttpRequest, proposal: TaskProposal, *, edit_form: ProposalEditForm | None = None,
               reject_form: RejectForm | None = None, result_form: ResultForm | None = None,
               status_code: int = 200) -> HttpResponse:
    decidable = proposal.status == ProposalStatus.PROPOSED and services.can_decide(request.user)
    if edit_form is None and decidable:
        edit_form = ProposalEditForm(initial={"title": proposal.title, "checklist": "\n".join(proposal.checklist),
                                              "team": proposal.team_id, "deadline": proposal.deadline})
    recordable = (proposal.case_id is not None and proposal.finished_at is None
                  and services.can_record_result(request.user, proposal))
    evidence = [(EVIDENCE_LABELS.get(key, key), value) for key, value in proposal.evidence.items()]
    return render(request, "insight/plans_proposal.html", {
        "proposal": proposal, "category": category_label(proposal.category), "evidence": evidence,
        "cases": _cases_behind(request, proposal), "more_cases": max(len(proposal.case_ids) - CASES_SHOWN, 0),
        "decidable": decidable, "edit_form": edit_form, "reject_form": reject_form or RejectForm(),
        "recordable": recordable, "result_form": result_form or ResultForm(),
        "effect": effect.task_effect(proposal) if proposal.finished_at else None,
    }, status=status_code)


def _proposal(pk: int) -> TaskProposal:
    return get_object_or_404(TaskProposal.objects.select_related("team", "street", "case", "case__handling_unit",
                                                                 "decided_by", "theme", "result_by"), pk=pk)


@overview_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One proposal: its evidence and the cases behind it, the decision, the result and the effect."""
    return _plan_page(request, _proposal(pk))


def _refused(request: HttpRequest, error: CaseError, proposal: TaskProposal) -> HttpResponse:
    if isinstance(error, ActionForbidden):
        raise PermissionDenied(error.detail)
    messages.error(request, error.detail)
    return redirect("insight:plan", pk=proposal.pk)


@require_POST
@overview_required
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    try:
        services.approve_proposal(actor=_user(request), proposal=proposal)
    except CaseError as error:
        return _refused(request, error, proposal)
    messages.success(request, _("The task is approved and dispatched to its team."))
    return redirect("insight:plan", pk=proposal.pk)


@require_POST
@overview_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    if not services.can_decide(request.user):
        raise PermissionDenied
    form = ProposalEditForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, proposal, edit_form=form, status_code=400)
    try:
        services.edit_proposal(actor=_user(request), proposal=proposal, title=form.cleaned_data["title"],
                               checklist=form.cleaned_data["checklist"], team=form.cleaned_data["team"],
                               deadline=form.cleaned_data.get("deadline"))
    except CaseError as error:
        return _refused(request, error, proposal)
    messages.success(request, _("The task is approved with your changes and dispatched to its team."))
    return redirect("insight:plan", pk=proposal.pk)


@require_POST
@overview_required
def plan_reject(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    if not services.can_decide(request.user):
        raise PermissionDenied
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, proposal, reject_form=form, status_code=400)
    try:
        services.reject_proposal(actor=_user(request), proposal=proposal, reason=form.cleaned_data["reason"])
    except CaseError as error:
        return _refused(request, error, proposal)
    messages.success(request, _("The proposal is rejected."))
    return redirect("insight:plan", pk=proposal.pk)


@require_POST
@login_required
def plan_result(request: HttpRequest, pk: int) -> HttpResponse:
    """The team records the task's result (the team's handlers may not see the insight pages: back to the case)."""
    proposal = _proposal(pk)
    if not services.can_record_result(request.user, proposal):
        raise PermissionDenied
    back = (reverse("insight:plan", args=[proposal.pk]) if can_see_overview(request.user) or proposal.case_id is None
            else reverse("ui:case-detail", args=[proposal.case_id]))
    form = ResultForm(request.POST)
    if not form.is_valid():
        if can_see_overview(request.user):
            return _plan_page(request, proposal, result_form=form, status_code=400)
        messages.error(request, _("Give the number of problems found (0 or more)."))
        return redirect(back)
    try:
        services.record_task_result(_user(request), proposal, form.cleaned_data["problems_found"],
                                    form.cleaned_data.get("measures") or "")
    except ActionForbidden as error:
        raise PermissionDenied(error.detail) from None
    except CaseError as error:
        messages.error(request, error.detail)
        return redirect(back)
    messages.success(request, _("The result of the task is recorded."))
    return redirect(back)


# --- the monthly theme -------------------------------------------------------------------------------------


@overview_required
def themes_page(request: HttpRequest) -> HttpResponse:
    """The monthly themes, and (leaders) the form to pick one."""
    can_pick = services.can_decide(request.user)
    form = ThemeForm(request.POST or None, initial={"month": _today().replace(day=1),
                                                    "leader": request.user.pk if can_pick else None})
    status_code = 200
    if request.method == "POST":
        if not can_pick:
            raise PermissionDenied
        saved = _save_theme(request, form, None)
        if saved is not None:
            messages.success(request, _("The monthly theme is saved."))
            return redirect("insight:theme", pk=saved.pk)
        status_code = 400
    return render(request, "insight/themes.html", {
        "themes": MonthlyTheme.objects.select_related("leader").order_by("-month")[:60], "form": form,
        "can_pick": can_pick,
    }, status=status_code)


def _save_theme(request: HttpRequest, form: ThemeForm, theme: MonthlyTheme | None) -> MonthlyTheme | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.save_theme(actor=_user(request), theme=theme, month=data["month"], title=data["title"],
                                   categories=data.get("categories") or [], keywords=data.get("keywords") or "",
                                   leader=data["leader"], goal=data.get("goal") or "")
    except ActionForbidden as error:
        raise PermissionDenied(error.detail) from None
    except CaseError as error:
        field = error.extra.get("field")
        form.add_error(field if field in form.fields else None, error.detail)
        return None


@overview_required
def theme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A theme's figures (complaints per month around it), its tasks and its latest complaints; leaders edit it."""
    theme = get_object_or_404(MonthlyTheme.objects.select_related("leader"), pk=pk)
    can_pick = services.can_decide(request.user)
    form = ThemeForm(request.POST or None, initial={
        "month": theme.month, "title": theme.title, "categories": theme.categories, "keywords": theme.keywords,
        "leader": theme.leader_id, "goal": theme.goal})
    status_code = 200
    if request.method == "POST":
        if not can_pick:
            raise PermissionDenied
        if _save_theme(request, form, theme) is not None:
            messages.success(request, _("The monthly theme is saved."))
            return redirect("insight:theme", pk=theme.pk)
        status_code = 400
    figures = themes.theme_figures(theme, today=_today())
    peak = max((figure.complaints for figure in figures.months), default=0)
    latest = visible_cases(_user(request), themes.theme_complaints(theme)).order_by("-received_at")[:CASES_SHOWN]
    return render(request, "insight/themes_detail.html", {
        "theme": theme, "figures": figures, "peak": peak, "tasks": themes.theme_tasks(theme)[:LIST_LIMIT],
        "cases": [(case, mask_complainant(case, case.title or case.description[:80])) for case in latest],
        "categories": [category_label(code) or code for code in theme.categories], "form": form,
        "can_pick": can_pick,
    }, status=status_code)


# --- API -------------------------------------------------------------------------------------------------


def proposal_json(proposal: TaskProposal) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": proposal.pk, "title": proposal.title, "status": proposal.status, "source": proposal.source,
        "category": proposal.category, "category_label": category_label(proposal.category),
        "street": {"id": proposal.street_id, "name": proposal.street.name} if proposal.street else None,
        "latitude": proposal.latitude, "longitude": proposal.longitude, "radius_m": proposal.radius_m,
        "team": {"id": proposal.team_id, "name": proposal.team.name} if proposal.team else None,
        "deadline": proposal.deadline.isoformat() if proposal.deadline else None,
        "checklist": proposal.checklist, "evidence": proposal.evidence, "case_ids": proposal.case_ids,
        "score": proposal.score, "theme": proposal.theme_id,
        "decided_by": str(proposal.decided_by) if proposal.decided_by else None,
        "decided_at": proposal.decided_at.isoformat() if proposal.decided_at else None, "reason": proposal.reason,
        "case": {"id": proposal.case_id, "reference": proposal.case.reference} if proposal.case else None,
        "problems_found": proposal.problems_found, "measures": proposal.measures,
        "finished_at": proposal.finished_at.isoformat() if proposal.finished_at else None, "effect": None,
    }
    if proposal.finished_at is not None:
        found = effect.task_effect(proposal)
        data["effect"] = {"weeks": found.weeks, "complete": found.complete, "area": found.area,
                          "treated_before": found.treated_before, "treated_after": found.treated_after,
                          "comparison_units": found.comparison_units,
                          "comparison_before": found.comparison_before, "comparison_after": found.comparison_after,
                          "did": found.did}
    return data


class ProposalsApi(APIView):
    """`GET /api/v1/insight/proposals`: the planner's proposals (filters status, source), newest first, with the
    decision, the task case, the result and the effect of finished tasks."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=list(ProposalStatus.values), required=False),
                    OpenApiParameter("source", str, enum=list(SignalSource.values), required=False)],
        responses={200: dict},
        operation_id="insight_proposals",
        summary="The planner's proactive task proposals (主动治理), newest first",
        examples=[OpenApiExample("A proposal", response_only=True, value={
            "count": 1, "truncated": False, "results": [
                {"id": 2, "status": "approved", "source": "hotspot", "title": "中关村片区夜间施工噪声巡查",
                 "case": 40}]})],
    )
    def get(self, request: Request) -> Response:
        proposals = TaskProposal.objects.select_related("team", "street", "case", "decided_by")
        for name, allowed in (("status", ProposalStatus.values), ("source", SignalSource.values)):
            value = request.query_params.get(name, "")
            if value and value not in allowed:
                detail = _("Unknown value; use one of: %(values)s.") % {"values": ", ".join(allowed)}
                return field_error(name, detail)
            if value:
                proposals = proposals.filter(**{name: value})
        rows = list(proposals.order_by("-created_at", "-pk")[:API_LIMIT + 1])
        return Response({"count": min(len(rows), API_LIMIT), "truncated": len(rows) > API_LIMIT,
                         "results": [proposal_json(proposal) for proposal in rows[:API_LIMIT]]})


def _proposal_response(proposal: TaskProposal) -> Response:
    fresh = TaskProposal.objects.select_related("team", "street", "case", "decided_by").get(pk=proposal.pk)
    return Response(proposal_json(fresh))


_PROPOSAL_EXAMPLE = {"id": 2, "status": "approved", "source": "hotspot", "title": "中关村片区夜间施工噪声巡查",
                     "case": 40}


class ProposalApproveApi(APIView):
    """`POST /api/v1/insight/proposals/{id}/approve`: 批准, the task goes to its team as a proactive case."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="insight_proposal_approve", summary="Approve a proactive task proposal (批准)",
                   description="Leaders and administrators; others 403. A proposal already decided: 409.",
                   request=None, responses={200: dict},
                   examples=[OpenApiExample("Approved", response_only=True, value=_PROPOSAL_EXAMPLE)])
    def post(self, request: Request, pk: int) -> Response:
        proposal = get_object_or_404(TaskProposal, pk=pk)
        return _proposal_response(services.approve_proposal(actor=_user(request), proposal=proposal))


class ProposalRejectApi(APIView):
    """`POST /api/v1/insight/proposals/{id}/reject`: 不予采纳, with the reason."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="insight_proposal_reject", summary="Reject a proactive task proposal (不予采纳)",
                   request={"application/json": {"type": "object", "properties": {"reason": {"type": "string"}},
                                                 "required": ["reason"]}},
                   responses={200: dict},
                   examples=[OpenApiExample("Reject", request_only=True, value={"reason": "已纳入街道专项整治"}),
                             OpenApiExample("Rejected", response_only=True,
                                            value={**_PROPOSAL_EXAMPLE, "status": "rejected", "case": None})])
    def post(self, request: Request, pk: int) -> Response:
        proposal = get_object_or_404(TaskProposal, pk=pk)
        if not services.can_decide(request.user):
            raise ActionForbidden(_("Only leaders and administrators decide proposed tasks."), action="decide")
        reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        return _proposal_response(services.reject_proposal(actor=_user(request), proposal=proposal,
                                                           reason=str(reason)[:2000]))


class ProposalResultApi(APIView):
    """`POST /api/v1/insight/proposals/{id}/result`: the team records the task's result (未诉先办)."""

    @extend_schema(operation_id="insight_proposal_result", summary="Record the result of a proactive task",
                   description="The task's team (its handlers and unit heads), leaders and administrators; others "
                   "403. A task not approved or already finished: 409.",
                   request={"application/json": {"type": "object", "properties": {
                       "problems_found": {"type": "integer", "minimum": 0}, "measures": {"type": "string"}},
                       "required": ["problems_found"]}},
                   responses={200: dict},
                   examples=[OpenApiExample("Result", request_only=True,
                                            value={"problems_found": 2, "measures": "责令两家餐馆清洗油烟净化器"}),
                             OpenApiExample("Finished", response_only=True, value={
                                 **_PROPOSAL_EXAMPLE, "problems_found": 2,
                                 "finished_at": "2026-06-03T16:00:00+08:00"})])
    def post(self, request: Request, pk: int) -> Response:
        proposal = get_object_or_404(TaskProposal, pk=pk)
        if not services.can_record_result(request.user, proposal):
            raise ActionForbidden(_("Only the task's team, leaders and administrators record its result."))
        data = request.data if isinstance(request.data, dict) else {}
        count = data.get("problems_found")
        if isinstance(count, str) and count.strip().isdigit():
            count = int(count)
        measures = data.get("measures") or ""
        return _proposal_response(services.record_task_result(_user(request), proposal, count,  # type: ignore[arg-type]
                                                              str(measures)[:5000]))



def _form_data(data: Any, lists: tuple[str, ...] = ()) -> QueryDict:
    """A JSON (or form) body as a form's data: lists stay lists (`categories`), the rest single values."""
    result = QueryDict(mutable=True)
    if not isinstance(data, dict):
        return result
    for key, value in data.items():
        if isinstance(value, list | tuple):
            result.setlist(key, [str(item) for item in value])
        elif value is not None:
            result[key] = value if isinstance(value, str) else str(value)
    return result


class ProposalApi(APIView):
    """`GET /api/v1/insight/proposals/{id}`: one proposal as its page shows it."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="insight_proposal", summary="One proactive task proposal with the cases behind it",
                   description="The proposal, its decision, result and effect, and up to 20 of the cases behind it "
                   "that the caller may see (texts masked, no complainant).",
                   responses={200: dict, 403: ERROR, 404: ERROR},
                   examples=[OpenApiExample("A proposal", response_only=True, value={
                       **_PROPOSAL_EXAMPLE, "cases_behind": [{"id": 12, "reference": "12345-2605030001",
                                                              "summary": "餐馆油烟扰民"}], "more_cases": 0})])
    def get(self, request: Request, pk: int) -> Response:
        proposal = get_object_or_404(TaskProposal.objects.select_related("team", "street", "case", "decided_by"),
                                     pk=pk)
        behind = visible_cases(_user(request)).filter(pk__in=proposal.case_ids[:CASES_SHOWN]).order_by(
            "-received_at", "-pk")
        return Response({**proposal_json(proposal), "cases_behind": [
            {"id": case.pk, "reference": case.reference,
             "summary": mask_complainant(case, case.title or case.description[:80])} for case in behind],
            "more_cases": max(len(proposal.case_ids) - CASES_SHOWN, 0)})


class EffectApi(APIView):
    """`GET /api/v1/insight/effect`: the plans page's effect tab."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="insight_effect",
                   summary="The effect of the tasks finished in a period, and the 未诉先办 share",
                   description="`start` and `end` (YYYY-MM-DD, Beijing days, both included; default the last 90 "
                   "days; at most three years): each finished task's complaints before and after in its area and "
                   "in comparison areas with the difference-in-differences, the sums, and the share of problems "
                   "found by tasks among those and the complaints received. A malformed period: 400.",
                   parameters=[OpenApiParameter("start", str, required=False),
                               OpenApiParameter("end", str, required=False)],
                   responses={200: dict, 400: ERROR, 403: ERROR},
                   examples=[OpenApiExample("A quarter", response_only=True, value={
                       "start": "2026-08-23", "end": "2026-11-20", "treated_before": 14, "treated_after": 6,
                       "did": -5.5, "complete": False, "tasks": [{"proposal": 2, "title": "中关村片区夜间施工噪声巡查",
                                                                  "weeks": 8, "did": -5.5}],
                       "proactive": {"problems_found": 9, "complaints": 120, "share": 0.0698}})])
    def get(self, request: Request) -> Response:
        form = PeriodForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            return form_errors(form.errors)
        _form, start, end = _period(request)
        period = effect.period_effect(start, end)
        share = effect.proactive_share(start, end)
        return Response({
            "start": start.isoformat(), "end": end.isoformat(), "treated_before": period.treated_before,
            "treated_after": period.treated_after, "did": period.did, "complete": period.complete,
            "tasks": [{"proposal": item.proposal.pk, "title": item.proposal.title, "weeks": item.weeks,
                       "complete": item.complete, "area": item.area, "treated_before": item.treated_before,
                       "treated_after": item.treated_after, "comparison_units": item.comparison_units,
                       "comparison_before": item.comparison_before, "comparison_after": item.comparison_after,
                       "did": item.did} for item in period.effects],
            "proactive": {"problems_found": share.problems_found, "complaints": share.complaints,
                          "share": share.share}})


class ProposalEditApi(APIView):
    """`POST /api/v1/insight/proposals/{id}/edit`: 修改后批准, approve with the leader's changes."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="insight_proposal_edit",
                   summary="Approve a proactive task proposal with changes (修改后批准)",
                   description="The title, the checklist (a list, or one item a line), the team (a handling unit) "
                   "and the deadline (optional), as the proposal page's form; the task then goes to that team as a "
                   "proactive case. Leaders and administrators; others 403. Bad input: 400 by field, nothing "
                   "decided. A proposal already decided: 409.",
                   request={"application/json": {"type": "object", "properties": {
                       "title": {"type": "string"}, "checklist": {"type": "array", "items": {"type": "string"}},
                       "team": {"type": "integer"}, "deadline": {"type": "string", "format": "date"}},
                       "required": ["title", "checklist", "team"]}},
                   responses={200: dict, 400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
                   examples=[OpenApiExample("Changes", request_only=True, value={
                       "title": "中关村片区夜间施工噪声联合巡查", "checklist": ["夜间施工许可", "噪声监测"], "team": 4,
                       "deadline": "2026-06-10"}),
                             OpenApiExample("Approved with changes", response_only=True,
                                            value={**_PROPOSAL_EXAMPLE, "status": "edited"})])
    def post(self, request: Request, pk: int) -> Response:
        proposal = get_object_or_404(TaskProposal, pk=pk)
        if not services.can_decide(request.user):
            raise ActionForbidden(_("Only leaders and administrators decide proposed tasks."), action="decide")
        data = _form_data(request.data)
        if isinstance(request.data, dict) and isinstance(request.data.get("checklist"), list | tuple):
            data["checklist"] = "\n".join(str(item) for item in request.data["checklist"])
        form = ProposalEditForm(data)
        if not form.is_valid():
            return form_errors(form.errors)
        return _proposal_response(services.edit_proposal(
            actor=_user(request), proposal=proposal, title=form.cleaned_data["title"],
            checklist=form.cleaned_data["checklist"], team=form.cleaned_data["team"],
            deadline=form.cleaned_data.get("deadline")))


class ProposeNowApi(APIView):
    """`POST /api/v1/insight/proposals/propose`: run the planner now ("Propose now")."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="insight_propose_now", summary="Run the planner now and propose tasks",
                   description="Runs every collector (hotspots, alerts, seasonal plans, the monthly theme) and "
                   "proposes what is new, as the plans page's button. Leaders, analysts and administrators; others "
                   "403. `results`: the proposals made (none when nothing is new).",
                   request=None, responses={200: dict, 403: ERROR},
                   examples=[OpenApiExample("One new proposal", response_only=True,
                                            value={"count": 1, "results": [{**_PROPOSAL_EXAMPLE,
                                                                            "status": "proposed", "case": None}]})])
    def post(self, request: Request) -> Response:
        if not planner.can_run_planner(request.user):
            raise ActionForbidden(_("Only leaders, analysts and administrators run the planner."))
        made = planner.propose_now(actor=_user(request))
        fresh = TaskProposal.objects.select_related("team", "street", "case", "decided_by").filter(
            pk__in=[proposal.pk for proposal in made]).order_by("-score", "pk")
        return Response({"count": len(made), "results": [proposal_json(proposal) for proposal in fresh]})


def theme_json(theme: MonthlyTheme) -> dict[str, Any]:
    return {"id": theme.pk, "month": theme.month.strftime("%Y-%m"), "title": theme.title,
            "categories": theme.categories, "keywords": theme.keywords, "goal": theme.goal,
            "leader": {"id": theme.leader_id, "name": str(theme.leader)} if theme.leader_id else None}


_THEME_EXAMPLE = {"id": 3, "month": "2026-06", "title": "餐饮油烟扰民", "categories": ["air.catering_fumes"],
                  "keywords": "油烟,排风机", "goal": "投诉量较前三个月下降三成", "leader": {"id": 2, "name": "李局"}}
_THEME_INPUT = {"application/json": {"type": "object", "properties": {
    "month": {"type": "string", "description": "YYYY-MM"}, "title": {"type": "string"},
    "categories": {"type": "array", "items": {"type": "string"}}, "keywords": {"type": "string"},
    "leader": {"type": "integer"}, "goal": {"type": "string"}}, "required": ["month", "title", "leader"]}}
_THEME_REQUEST = {"month": "2026-06", "title": "餐饮油烟扰民", "categories": ["air.catering_fumes"],
                  "keywords": "油烟,排风机", "leader": 2, "goal": "投诉量较前三个月下降三成"}


def _save_theme_api(request: Request, theme: MonthlyTheme | None) -> Response:
    if not services.can_decide(request.user):
        raise ActionForbidden(_("Only leaders and administrators pick the monthly theme."))
    data = _form_data(request.data)
    if theme is not None:  # a change: what is not given stays as it is
        current = {"month": theme.month.strftime("%Y-%m"), "title": theme.title, "keywords": theme.keywords,
                   "leader": str(theme.leader_id), "goal": theme.goal}
        for key, value in current.items():
            data.setdefault(key, value)
        if "categories" not in data:
            data.setlist("categories", list(theme.categories))
    form = ThemeForm(data)
    if not form.is_valid():
        return form_errors(form.errors)
    values = form.cleaned_data
    saved = services.save_theme(actor=_user(request), theme=theme, month=values["month"], title=values["title"],
                                categories=values.get("categories") or [], keywords=values.get("keywords") or "",
                                leader=values["leader"], goal=values.get("goal") or "")
    return Response(theme_json(MonthlyTheme.objects.select_related("leader").get(pk=saved.pk)),
                    status=201 if theme is None else 200)


class ThemesApi(APIView):
    """`/api/v1/insight/themes`: the monthly themes (每月一题); leaders pick one."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="insight_themes", summary="The monthly themes (每月一题), latest month first",
                   responses={200: dict, 403: ERROR},
                   examples=[OpenApiExample("A theme", response_only=True,
                                            value={"count": 1, "truncated": False, "results": [_THEME_EXAMPLE]})])
    def get(self, request: Request) -> Response:
        rows = list(MonthlyTheme.objects.select_related("leader").order_by("-month", "-pk")[:API_LIMIT + 1])
        return Response({"count": min(len(rows), API_LIMIT), "truncated": len(rows) > API_LIMIT,
                         "results": [theme_json(theme) for theme in rows[:API_LIMIT]]})

    @extend_schema(operation_id="insight_theme_create", summary="Pick a monthly theme (每月一题)",
                   description="The month (YYYY-MM), a title, the categories and/or keywords that say which "
                   "complaints count (at least one), the leader in charge, the goal. Leaders and administrators; "
                   "others 403. Bad input: 400 by field (`theme_exists` when the month has a theme), nothing saved.",
                   request=_THEME_INPUT, responses={201: dict, 400: ERROR, 403: ERROR},
                   examples=[OpenApiExample("Pick", request_only=True, value=_THEME_REQUEST),
                             OpenApiExample("Saved", response_only=True, status_codes=["201"],
                                            value=_THEME_EXAMPLE)])
    def post(self, request: Request) -> Response:
        return _save_theme_api(request, None)


class ThemeApi(APIView):
    """`/api/v1/insight/themes/{id}`: a theme with its figures, its tasks and its latest complaints; leaders
    change it."""

    permission_classes = [IsAuthenticated, CanSeeOverview]

    @extend_schema(operation_id="insight_theme", summary="A monthly theme with its figures, tasks and complaints",
                   description="`figures`: complaints per month, the three months before the theme month, the "
                   "month itself and up to three after (`role` before, theme, after). `tasks`: the proposals tied "
                   "to it. `complaints`: the latest the caller may see, texts masked, no complainant.",
                   responses={200: dict, 403: ERROR, 404: ERROR},
                   examples=[OpenApiExample("A theme", response_only=True, value={
                       **_THEME_EXAMPLE, "figures": [{"month": "2026-03", "role": "before", "complaints": 14},
                                                     {"month": "2026-06", "role": "theme", "complaints": 9}],
                       "tasks": [_PROPOSAL_EXAMPLE],
                       "complaints": [{"id": 12, "reference": "12345-2606030001", "summary": "餐馆油烟扰民",
                                       "received_at": "2026-06-03T10:00:00+08:00", "status": "in_progress"}]})])
    def get(self, request: Request, pk: int) -> Response:
        theme = get_object_or_404(MonthlyTheme.objects.select_related("leader"), pk=pk)
        figures = themes.theme_figures(theme, today=_today())
        latest = visible_cases(_user(request), themes.theme_complaints(theme)).order_by(
            "-received_at", "-pk")[:CASES_SHOWN]
        return Response({
            **theme_json(theme),
            "figures": [{"month": figure.month.strftime("%Y-%m"), "role": figure.role,
                         "complaints": figure.complaints} for figure in figures.months],
            "tasks": [proposal_json(task) for task in themes.theme_tasks(theme).select_related("decided_by")[
                :LIST_LIMIT]],
            "complaints": [{"id": case.pk, "reference": case.reference,
                            "summary": mask_complainant(case, case.title or case.description[:80]),
                            "received_at": timezone.localtime(case.received_at).isoformat(),
                            "status": case.status} for case in latest]})

    @extend_schema(operation_id="insight_theme_update", summary="Change a monthly theme",
                   description="As picking one; what is not given stays as it is. Leaders and administrators; "
                   "others 403. Bad input: 400 by field, nothing changed.",
                   request=_THEME_INPUT, responses={200: dict, 400: ERROR, 403: ERROR, 404: ERROR},
                   examples=[OpenApiExample("A new goal", request_only=True, value={"goal": "投诉量下降五成"}),
                             OpenApiExample("Saved", response_only=True,
                                            value={**_THEME_EXAMPLE, "goal": "投诉量下降五成"})])
    def patch(self, request: Request, pk: int) -> Response:
        return _save_theme_api(request, get_object_or_404(MonthlyTheme, pk=pk))


urlpatterns: list[Any] = [
    path("plans/", plans_page, name="plans"),
    path("plans/propose/", plans_propose, name="plans-propose"),
    path("plans/<int:pk>/", plan_detail, name="plan"),
    path("plans/<int:pk>/approve/", plan_approve, name="plan-approve"),
    path("plans/<int:pk>/edit/", plan_edit, name="plan-edit"),
    path("plans/<int:pk>/reject/", plan_reject, name="plan-reject"),
    path("plans/<int:pk>/result/", plan_result, name="plan-result"),
    path("themes/", themes_page, name="themes"),
    path("themes/<int:pk>/", theme_detail, name="theme"),
]
api_urlpatterns: list[Any] = [
    path("proposals", ProposalsApi.as_view(), name="insight-proposals"),
    path("proposals/propose", ProposeNowApi.as_view(), name="insight-propose-now"),
    path("proposals/<int:pk>", ProposalApi.as_view(), name="insight-proposal"),
    path("effect", EffectApi.as_view(), name="insight-effect"),
    path("proposals/<int:pk>/approve", ProposalApproveApi.as_view(), name="insight-proposal-approve"),
    path("proposals/<int:pk>/edit", ProposalEditApi.as_view(), name="insight-proposal-edit"),
    path("proposals/<int:pk>/reject", ProposalRejectApi.as_view(), name="insight-proposal-reject"),
    path("proposals/<int:pk>/result", ProposalResultApi.as_view(), name="insight-proposal-result"),
    path("themes", ThemesApi.as_view(), name="insight-themes"),
    path("themes/<int:pk>", ThemeApi.as_view(), name="insight-theme"),
]
