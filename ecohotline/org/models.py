"""Organisation: units of the bureau, streets and towns, outside departments, people and their roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("Bureau")
    BRIGADE = "brigade", _("Brigade")
    SQUAD = "squad", _("Squad")
    SECTION = "section", _("Section")
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    TOWN = "town", _("Town")
    DEPARTMENT = "department", _("Outside department")


PLACE_KINDS = (UnitKind.STREET, UnitKind.TOWN)


class OrgUnit(models.Model):
    """A node of the organisation tree: the bureau and its 大队/中队/科室, a 街道 or 乡镇, an outside 部门."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of primary keys ("/1/4/9/") so that "this unit and everything under it" is one
    # indexed prefix query instead of a recursive walk.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    phone = models.CharField(_("phone"), max_length=30, blank=True,
                             help_text=_("The number complainants may call; replies quote it as 联系电话."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if new_path != self.path:
            old_path = self.path
            self.path = new_path
            OrgUnit.objects.filter(pk=self.pk).update(path=new_path)
            if old_path:
                for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.save()

    @property
    def is_place(self) -> bool:
        return self.kind in PLACE_KINDS


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Handler")
    UNIT_HEAD = "unit_head", _("Unit head")
    LEADER = "leader", _("Leader")
    ANALYST = "analyst", _("Analyst")
    STREET_LIAISON = "street_liaison", _("Street liaison")
    # 情景模拟: builds training scenarios, assigns them and follows every trainee's runs.
    TRAINER = "trainer", _("Trainer")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A member of staff. Belongs to one unit; holds one or more roles."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_codes = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))


class RoleAssignment(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="org_unique_user_role")]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()}"


class LeaderArea(models.Model):
    """包片: the streets and towns one leader answers for."""

    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(User, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="areas")
    streets = models.ManyToManyField(
        OrgUnit, verbose_name=_("streets and towns"), related_name="leader_areas",
        limit_choices_to={"kind__in": PLACE_KINDS},
    )

    class Meta:
        verbose_name = _("leader's area")
        verbose_name_plural = _("leaders' areas")

    def __str__(self) -> str:
        return self.name


class RemitDecisionChoice(models.TextChoices):
    KEEP = "keep", _("Ours to handle")
    RETURN = "return", _("Not our remit: return the order")
    JOINT = "joint", _("Handle jointly with other departments")


class ResponsibilityEntry(models.Model):
    """权责清单: one line of the district's responsibility matrix. For orders of a (sub-)category whose text
    contains one of the words (or any text, when no words are given), the line decides whether the bureau
    keeps the order, returns it or handles it jointly, and names the department and the reason. Lines of a
    sub-category are read before those of its category; the first that matches decides."""

    subject = models.CharField(
        _("category code"), max_length=60,
        validators=[RegexValidator(r"^[a-z_]+(\.[a-z_]+)?$", _("A category or sub-category code, such as "
                                                                 "noise or noise.social."))],
        help_text=_("A category (noise) or sub-category (noise.social) code."))
    words = models.TextField(_("when the text contains any of"), blank=True,
                             help_text=_("One word or phrase per line; leave empty to match every order."))
    decision = models.CharField(_("decision"), max_length=10, choices=RemitDecisionChoice.choices)
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), help_text=_("Shown to the dispatcher and quoted when an order is "
                                                       "returned."))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["subject", "position", "pk"]
        verbose_name = _("responsibility matrix entry")
        verbose_name_plural = _("responsibility matrix")

    def __str__(self) -> str:
        return f"{self.subject}: {self.get_decision_display()} {self.department}".strip()

    @property
    def word_list(self) -> list[str]:
        return [word.strip() for word in self.words.splitlines() if word.strip()]
