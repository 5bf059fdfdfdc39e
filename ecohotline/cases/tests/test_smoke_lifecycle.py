"""A whole 12345 order, end to end through the services: the happy path and a reopening."""

import pytest

from ecohotline.cases import services
from ecohotline.cases.models import CaseStatus, Satisfaction
from ecohotline.factories import make_case

pytestmark = pytest.mark.django_db


def test_order_lives_its_whole_life(org):
    case = make_case(street=org.street, external_id="2026050300001")
    assert case.status == CaseStatus.NEW and case.contact_due_at and case.due_at
    assert case.leader == org.leader  # 包片 leader of the street
    case = services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    case = services.accept_case(actor=org.handler, case=case)
    assert case.handler == org.handler
    services.record_contact(actor=org.handler, case=case, reached=False)
    services.record_contact(actor=org.handler, case=case, reached=True, summary="已电话联系")
    services.reply_to_complainant(actor=org.handler, case=case, text="经现场核查，已责令整改。")
    case.refresh_from_db()
    assert case.status == CaseStatus.REPLIED and case.first_contact_at and case.completed_at
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=False,
                                 satisfaction=Satisfaction.DISSATISFIED)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.reopen_count == 1 and case.completed_at is None
    services.reply_to_complainant(actor=org.handler, case=case, text="再次核查，已安装净化设备。")
    services.record_return_visit(actor=org.dispatcher, case=case, contacted=True, solved=True,
                                 satisfaction=Satisfaction.SATISFIED)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["created", "dispatch", "accept", "record_contact", "record_contact", "reply",
                       "record_return_visit", "reply", "record_return_visit"]
    assert case.version == 1 + len(actions) - 1
