"""Each lifecycle action of the API: its input serializer and the service it calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.shortcuts import get_object_or_404

from ecohotline.api import serializers as s
from ecohotline.cases import services
from ecohotline.cases.models import Appeal, Case, Extension, JointHandling
from ecohotline.org.models import User

Runner = Callable[[User, Case, dict[str, Any]], Any]


@dataclass(frozen=True)
class ActionSpec:
    serializer: type[s.ActionSerializer]
    run: Runner


def _case_of(model: Any, pk: int, case: Case) -> Any:
    return get_object_or_404(model, pk=pk, case=case)


ACTION_SPECS: dict[str, ActionSpec] = {
    "dispatch": ActionSpec(s.DispatchInput, lambda u, c, d: services.dispatch_case(actor=u, case=c, **d)),
    "accept": ActionSpec(s.NoteInput, lambda u, c, d: services.accept_case(actor=u, case=c, **d)),
    "return_order": ActionSpec(s.ReasonInput, lambda u, c, d: services.return_order(actor=u, case=c, **d)),
    "reassign": ActionSpec(s.ReassignInput, lambda u, c, d: services.reassign_case(actor=u, case=c, **d)),
    "record_contact": ActionSpec(s.ContactInput, lambda u, c, d: services.record_contact(actor=u, case=c, **d)),
    "record_inspection": ActionSpec(
        s.InspectionInput, lambda u, c, d: services.record_inspection(actor=u, case=c, **d)),
    "record_measurement": ActionSpec(
        s.MeasurementInput, lambda u, c, d: services.record_measurement(actor=u, case=c, **d)),
    "add_rectification": ActionSpec(
        s.RectificationInput, lambda u, c, d: services.add_rectification(actor=u, case=c, **d)),
    "request_extension": ActionSpec(
        s.ExtensionRequestInput, lambda u, c, d: services.request_extension(actor=u, case=c, **d)),
    "decide_extension": ActionSpec(
        s.ExtensionDecisionInput,
        lambda u, c, d: services.decide_extension(
            actor=u, case=c, extension=_case_of(Extension, d.pop("extension"), c), **d)),
    "file_appeal": ActionSpec(s.AppealInput, lambda u, c, d: services.file_appeal(actor=u, case=c, **d)),
    "decide_appeal": ActionSpec(
        s.AppealDecisionInput,
        lambda u, c, d: services.decide_appeal(actor=u, case=c, appeal=_case_of(Appeal, d.pop("appeal"), c), **d)),
    "call_joint_handling": ActionSpec(
        s.JointCallInput, lambda u, c, d: services.call_joint_handling(actor=u, case=c, **d)),
    "record_joint_reply": ActionSpec(
        s.JointReplyInput,
        lambda u, c, d: services.record_joint_reply(
            actor=u, case=c, joint=_case_of(JointHandling, d.pop("joint"), c), **d)),
    "reply": ActionSpec(s.ReplyInput, lambda u, c, d: services.reply_to_complainant(actor=u, case=c, **d)),
    "record_return_visit": ActionSpec(
        s.ReturnVisitInput, lambda u, c, d: services.record_return_visit(actor=u, case=c, **d)),
    "supervise": ActionSpec(s.NoteInput, lambda u, c, d: services.supervise_case(actor=u, case=c, **d)),
    "remind": ActionSpec(s.NoteInput, lambda u, c, d: services.remind_case(actor=u, case=c, **d)),
    "pause_clock": ActionSpec(s.ReasonInput, lambda u, c, d: services.pause_clock(actor=u, case=c, **d)),
    "resume_clock": ActionSpec(s.NoteInput, lambda u, c, d: services.resume_clock(actor=u, case=c, **d)),
    "merge_into": ActionSpec(
        s.MergeInput,
        lambda u, c, d: services.merge_case(actor=u, case=c, into=get_object_or_404(Case, pk=d.pop("into")), **d)),
    "set_category": ActionSpec(s.CategoryInput, lambda u, c, d: services.set_category(actor=u, case=c, **d)),
    "add_note": ActionSpec(s.TextInput, lambda u, c, d: services.add_note(actor=u, case=c, **d)),
}
