"""factory_boy factories for tests (and nothing else)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from ecohotline.cases.models import Case, CaseStatus, Channel
from ecohotline.cases.services import create_case
from ecohotline.monitoring.models import Station
from ecohotline.org.models import OrgUnit, RoleAssignment, UnitKind, User


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"unit-{n}")
    kind = UnitKind.SQUAD


class StreetFactory(OrgUnitFactory):
    name = factory.Sequence(lambda n: f"街道{n}")
    code = factory.Sequence(lambda n: f"street-{n}")
    kind = UnitKind.STREET


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    password = factory.django.Password("pass-1234-word")

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for role in extracted or ():
            RoleAssignment.objects.get_or_create(user=self, role=role)
        self.__dict__.pop("_role_codes", None)


class StationFactory(factory.django.DjangoModelFactory):
    """A monitoring station; the same code gives the same station."""

    class Meta:
        model = Station
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"station-{n}")
    name = factory.LazyAttribute(lambda station: station.code)


def make_case(*, received_at: dt.datetime | None = None, channel: str = Channel.HOTLINE_12345,
              **fields: Any) -> Case:
    """A case created through the service, as the intake would."""
    fields.setdefault("description", "小区楼下餐馆油烟扰民，晚上十点以后还有排风机噪声。")
    return create_case(actor=None, channel=channel, received_at=received_at or timezone.now(), **fields)


def force_status(case: Case, status: str, **fields: Any) -> Case:
    """Put a case in a given state directly (test set-up only; production writes go through services)."""
    Case.objects.filter(pk=case.pk).update(status=status, **fields)
    case.refresh_from_db()
    return case


__all__ = ["CaseStatus", "OrgUnitFactory", "StationFactory", "StreetFactory", "UserFactory", "force_status",
           "make_case"]
