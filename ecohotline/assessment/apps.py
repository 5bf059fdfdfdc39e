from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "ecohotline.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from ecohotline.assessment import ledger
        from ecohotline.assessment.models import LedgerExit, RetrospectiveCause
        from ecohotline.cases.signals import case_closed
        from ecohotline.cases.timeline import register_payload_line

        # A case closed solved and satisfied leaves the ledger the moment it closes.
        case_closed.connect(ledger.on_case_closed, dispatch_uid="assessment_ledger_case_closed")

        exits = dict(LedgerExit.choices)
        causes = dict(RetrospectiveCause.choices)
        register_payload_line("reasons", _("Ledger reasons"),
                              lambda codes: ", ".join(ledger.reason_label(code) for code in codes))
        register_payload_line("exit", _("Left the ledger"), lambda code: str(exits.get(code, code)))
        register_payload_line("cause", _("Cause"), lambda code: str(causes.get(code, code)))
        register_payload_line("lessons", _("What was learnt"))
        register_payload_line("follow_up", _("Follow-up"))
