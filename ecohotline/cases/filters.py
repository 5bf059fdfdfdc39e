"""The one case filter shared by the API, the case list page and exports."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from ecohotline.cases import search
from ecohotline.cases.deadlines import overdue_q
from ecohotline.cases.models import REAL_CHANNELS, Case, CaseStatus
from ecohotline.core import clock
from ecohotline.org.models import OrgUnit, UnitKind


class CaseFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(label=_("status"), choices=CaseStatus.choices)
    channel = filters.MultipleChoiceFilter(label=_("channel"), choices=REAL_CHANNELS)
    category = filters.CharFilter(label=_("category"), method="filter_category")
    street = filters.ModelChoiceFilter(
        label=_("street/town"), queryset=OrgUnit.objects.filter(kind__in=[UnitKind.STREET, UnitKind.TOWN])
    )
    unit = filters.ModelChoiceFilter(label=_("handling unit"), field_name="handling_unit",
                                     queryset=OrgUnit.objects.all())
    overdue = filters.BooleanFilter(label=_("overdue"), method="filter_overdue")
    q = filters.CharFilter(label=_("search"), method="filter_text")
    received_from = filters.DateFilter(label=_("received from"), field_name="received_at", lookup_expr="date__gte")
    received_to = filters.DateFilter(label=_("received to"), field_name="received_at", lookup_expr="date__lte")

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_category(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        """`noise` matches the category, `noise.social` the sub-category."""
        return queryset.filter(Q(sub_category=value) if "." in value else Q(category=value))

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: bool | None) -> QuerySet[Case]:
        if value is None:
            return queryset
        condition = overdue_q(clock.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_text(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        """Every word a substring of the title, description, address, polluter or order number (indexed)."""
        return search.matching(queryset, value)
