"""What a dispatcher does with the intake's suggestions: accept a routing suggestion (it dispatches the case),
confirm a possible duplicate (it merges the case, 并案), or dismiss either. The case itself changes only
through `cases.services`, which writes the timeline."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ecohotline.cases import services as case_services
from ecohotline.cases.exceptions import ActionForbidden, CaseError, RuleViolation
from ecohotline.cases.models import Case
from ecohotline.intake.models import DuplicateSuggestion, Suggestion, TriageSuggestion
from ecohotline.org.models import OrgUnit, Role, User


def pending_duplicates() -> QuerySet[DuplicateSuggestion]:
    """Possible duplicates still waiting for a dispatcher, the likeliest first, with both cases."""
    return DuplicateSuggestion.objects.filter(status=Suggestion.PENDING).select_related(
        "candidate", "candidate__street"
    ).order_by("-score", "pk")


def _check_dispatcher(actor: User) -> None:
    if not actor.is_authenticated or not actor.is_active or not actor.has_role(Role.DISPATCHER, Role.ADMIN):
        raise ActionForbidden(_("Only dispatchers decide on the intake's suggestions."))


def _check_pending(status: str) -> None:
    if status != Suggestion.PENDING:
        raise RuleViolation("suggestion_decided", _("This suggestion has already been accepted or dismissed."))


@transaction.atomic
def accept_triage_suggestion(*, actor: User, case: Case, note: str = "") -> Case:
    """Dispatch the case to the unit (and leader) triage suggested, in one click."""
    _check_dispatcher(actor)
    suggestion = TriageSuggestion.objects.select_for_update(of=("self",)).select_related("unit", "leader").filter(
        case=case).first()
    if suggestion is None:
        raise RuleViolation("no_suggestion", _("Triage made no suggestion for this case."))
    _check_pending(suggestion.status)
    if suggestion.unit is None:
        raise RuleViolation("no_suggested_unit", _("Triage suggested no unit for this case."))
    dispatched = case_services.dispatch_case(actor=actor, case=case, unit=suggestion.unit,
                                             leader=suggestion.leader, note=note)
    suggestion.status = Suggestion.ACCEPTED
    suggestion.save(update_fields=["status"])
    return dispatched


@transaction.atomic
def dismiss_triage_suggestion(*, actor: User, case: Case) -> TriageSuggestion:
    """Set the routing suggestion aside; the case waits to be dispatched by hand."""
    _check_dispatcher(actor)
    suggestion = TriageSuggestion.objects.select_for_update().filter(case=case).first()
    if suggestion is None:
        raise RuleViolation("no_suggestion", _("Triage made no suggestion for this case."))
    _check_pending(suggestion.status)
    suggestion.status = Suggestion.DISMISSED
    suggestion.save(update_fields=["status"])
    return suggestion


@transaction.atomic
def confirm_duplicate(*, actor: User, suggestion: DuplicateSuggestion, note: str = "") -> Case:
    """并案: merge the case into the earlier case it duplicates; the case's other pending duplicate
    suggestions are dismissed (it can be merged only once)."""
    _check_dispatcher(actor)
    locked = DuplicateSuggestion.objects.select_for_update(of=("self",)).select_related("case", "candidate").get(
        pk=suggestion.pk)
    _check_pending(locked.status)
    merged = case_services.merge_case(actor=actor, case=locked.case, into=locked.candidate, note=note)
    locked.status = Suggestion.ACCEPTED
    locked.save(update_fields=["status"])
    DuplicateSuggestion.objects.filter(case=locked.case, status=Suggestion.PENDING).update(
        status=Suggestion.DISMISSED)
    return merged


@transaction.atomic
def dismiss_duplicate(*, actor: User, suggestion: DuplicateSuggestion) -> DuplicateSuggestion:
    """Not a duplicate: the case is handled on its own."""
    _check_dispatcher(actor)
    locked = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    _check_pending(locked.status)
    locked.status = Suggestion.DISMISSED
    locked.save(update_fields=["status"])
    return locked


@dataclass(frozen=True)
class DispatchOutcome:
    """What became of one case of a bulk dispatch: `error` is None when it was dispatched."""

    case: Case
    error: CaseError | None


def dispatch_many(*, actor: User, cases: Iterable[Case], unit: OrgUnit, note: str = "") -> list[DispatchOutcome]:
    """批量派单: dispatch each case to `unit` through `dispatch_case`, each in a transaction of its own, so
    that one refused case (dispatched meanwhile, a role that may not) leaves the others dispatched. A pending
    routing suggestion is settled on the way: accepted if it named that unit, dismissed otherwise."""
    _check_dispatcher(actor)
    outcomes = []
    for case in cases:
        try:
            with transaction.atomic():
                dispatched = case_services.dispatch_case(actor=actor, case=case, unit=unit, note=note)
                suggestion = TriageSuggestion.objects.select_for_update().filter(
                    case=case, status=Suggestion.PENDING).first()
                if suggestion is not None:
                    suggestion.status = (Suggestion.ACCEPTED if suggestion.unit_id == unit.pk
                                         else Suggestion.DISMISSED)
                    suggestion.save(update_fields=["status"])
        except CaseError as error:
            outcomes.append(DispatchOutcome(case, error))
        else:
            outcomes.append(DispatchOutcome(dispatched, None))
    return outcomes
