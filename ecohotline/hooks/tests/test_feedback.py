"""Hotline feedback: replies, returns, extensions and appeals on a hotline's orders go back to the hotline, signed
like its pushes, and are retried until it acknowledges them."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.db import transaction

from ecohotline.cases import services
from ecohotline.cases.models import AppealReason, Channel
from ecohotline.hooks.feedback import MAX_ATTEMPTS
from ecohotline.hooks.tests.conftest import beijing, hotline_order
from ecohotline.intake.models import HotlineSource
from ecohotline.intake.push import PushRefused, authenticate
from ecohotline.notify import outbox
from ecohotline.notify.models import OutboxMessage, OutboxStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(beijing(2026, 5, 4, 10, 0), tick=False) as traveller:
        yield traveller


def in_progress(org: Any, **fields: Any) -> Any:
    case = hotline_order(org, **fields)
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    return services.accept_case(actor=org.handler, case=case)


def feedback_messages() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(transport="hotline_feedback").order_by("pk"))


def test_a_reply_is_pushed_back_signed_like_the_hotlines_own_pushes(org, source, receiver):
    case = in_progress(org)
    assert feedback_messages() == []  # dispatching and accepting are not fed back
    services.reply_to_complainant(actor=org.handler, case=case, text="已到现场核查，正在整改。", final=False)

    [message] = feedback_messages()
    assert (message.case_id, message.event, message.target_id, message.max_attempts) == (
        case.pk, "reply", source.pk, MAX_ATTEMPTS)
    assert outbox.deliver_due() == 1
    [request] = receiver.requests
    # The platform's own check of a push accepts it: the right source, secret, timestamp and body.
    assert authenticate(source_code=request.headers["X-Source"], timestamp=request.headers["X-Timestamp"],
                        signature=request.headers["X-Signature"], body=request.body) == source
    with pytest.raises(PushRefused):
        authenticate(source_code="bj12345", timestamp=request.headers["X-Timestamp"],
                     signature=request.headers["X-Signature"], body=request.body + b" ")
    body = json.loads(request.body)
    assert body == {
        "order_number": "2026050300001", "action": "reply", "event_id": body["event_id"],
        "at": "2026-05-04T10:00:00+08:00", "status": "in_progress",
        "unit": {"id": org.squad.pk, "code": "squad-1", "name": "执法一中队"},
        "due_at": case.due_at.astimezone(beijing(2026, 1, 1).tzinfo).isoformat(),
        "final": False, "text": "已到现场核查，正在整改。",
    }
    assert case.events.get(pk=body["event_id"]).action == "reply"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 1, "")


def test_feedback_is_retried_until_the_hotline_acknowledges_it(org, source, receiver):
    case = in_progress(org)
    receiver.answers = [(503, b"busy"), (200, b'{"code": 1, "msg": "system busy"}')]
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理完毕。", final=True)
    [message] = feedback_messages()
    start = message.next_attempt_at

    assert outbox.deliver_due(now=start) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.last_error.startswith("HTTP 503")
    second = start + outbox.BACKOFF[0]
    assert outbox.deliver_due(now=second - outbox.BACKOFF[0] / 2) == 0  # not due yet
    assert outbox.deliver_due(now=second) == 0
    message.refresh_from_db()
    # A 2xx answer whose code is not 0 is no acknowledgement.
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 2)
    assert "system busy" in message.last_error
    assert outbox.deliver_due(now=second + outbox.BACKOFF[1]) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 3, "")
    assert len(receiver.requests) == 3
    # Each attempt is the same body, signed afresh.
    assert len({request.body for request in receiver.requests}) == 1
    assert json.loads(receiver.requests[-1].body)["final"] is True


@pytest.mark.parametrize(("answer", "acknowledged"), [
    (b"", True), (b"OK", True), (b'{"code": 0}', True), (b'{"code": "0"}', True), (b'{"ok": true}', True),
    (b'{"received": 1}', True), (b'{"code": 500, "msg": "x"}', False), (b'{"ok": false}', False),
])
def test_what_counts_as_an_acknowledgement(org, source, receiver, answer, acknowledged):
    receiver.default = (200, answer)
    case = in_progress(org)
    services.return_order(actor=org.handler, case=case, reason="不属于本单位职责")
    assert outbox.deliver_due() == (1 if acknowledged else 0)


def test_every_result_the_hotline_takes_back(org, source, receiver):
    case = in_progress(org)
    extension = services.request_extension(actor=org.handler, case=case, days=5, reason="等待检测报告")
    services.decide_extension(actor=org.leader, case=case, extension=extension, approve=True, note="同意")
    services.return_order(actor=org.handler, case=case, reason="属于城管职责")
    case.refresh_from_db()
    services.dispatch_case(actor=org.dispatcher, case=case, unit=org.squad)
    services.accept_case(actor=org.handler, case=case)
    services.reply_to_complainant(actor=org.handler, case=case, text="已责令停业整改。", final=True)
    appeal = services.file_appeal(actor=org.handler, case=case, reason=AppealReason.UNREASONABLE,
                                  evidence="诉求人要求关停合法经营的餐馆。")
    services.decide_appeal(actor=org.leader, case=case, appeal=appeal, approve=False, note="证据不足")
    case.refresh_from_db()

    assert outbox.deliver_due() == 6
    bodies = [json.loads(request.body) for request in receiver.requests]
    assert [body["action"] for body in bodies] == ["request_extension", "decide_extension", "return_order", "reply",
                                                   "file_appeal", "decide_appeal"]
    by_action = {body["action"]: body for body in bodies}
    assert (by_action["request_extension"]["days"], by_action["request_extension"]["text"]) == (5, "等待检测报告")
    assert by_action["decide_extension"]["approved"] is True
    assert by_action["decide_extension"]["due_at"] == by_action["return_order"]["due_at"]  # the extended deadline
    assert by_action["decide_extension"]["due_at"] != by_action["request_extension"]["due_at"]
    assert (by_action["return_order"]["status"], by_action["return_order"]["text"]) == ("returned", "属于城管职责")
    assert by_action["return_order"]["unit"]["code"] == "squad-1"
    assert (by_action["reply"]["final"], by_action["reply"]["status"]) == (True, "replied")
    assert (by_action["file_appeal"]["reason"], by_action["file_appeal"]["text"]) == (
        "unreasonable", "诉求人要求关停合法经营的餐馆。")
    assert (by_action["decide_appeal"]["approved"], by_action["decide_appeal"]["text"]) == (False, "证据不足")
    assert {body["order_number"] for body in bodies} == {"2026050300001"}


def test_orders_of_other_channels_or_without_a_feedback_url_get_none(org, source, receiver):
    HotlineSource.objects.create(code="bj12369", name="12369", channel=Channel.ECO_12369, secret="x")
    other = in_progress(org, number="12369-1", channel=Channel.ECO_12369)
    services.reply_to_complainant(actor=org.handler, case=other, text="已处理。", final=False)
    from ecohotline.factories import make_case

    walk_in = make_case(channel=Channel.HOTLINE_12345, street=org.street)  # no order of the platform
    services.dispatch_case(actor=org.dispatcher, case=walk_in, unit=org.squad)
    services.accept_case(actor=org.handler, case=walk_in)
    services.reply_to_complainant(actor=org.handler, case=walk_in, text="已处理。", final=False)
    assert feedback_messages() == []


def test_a_rolled_back_change_sends_no_feedback(org, source, receiver, django_capture_on_commit_callbacks):
    case = in_progress(org)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True) as callbacks, \
            transaction.atomic():
        services.reply_to_complainant(actor=org.handler, case=case, text="已处理。", final=True)
        assert len(feedback_messages()) == 1  # written with the reply, in its transaction
        raise RuntimeError("the change fails after the reply")
    assert callbacks == []
    assert feedback_messages() == []
    assert outbox.deliver_due() == 0 and receiver.requests == []


def test_a_source_that_stops_taking_feedback_gives_its_messages_up(org, source, receiver):
    case = in_progress(org)
    services.reply_to_complainant(actor=org.handler, case=case, text="已处理。", final=False)
    HotlineSource.objects.filter(pk=source.pk).update(feedback_url="")
    outbox.deliver_due()
    [message] = feedback_messages()
    assert message.status == OutboxStatus.DEAD and "no feedback" in message.last_error
    assert receiver.requests == []
    # Set up again, and sent again from the admin's dead-letter list.
    HotlineSource.objects.filter(pk=source.pk).update(feedback_url=receiver.url)
    assert outbox.retry(message_ids=[message.pk]) == 1
    assert outbox.deliver_due() == 1 and len(receiver.requests) == 1
