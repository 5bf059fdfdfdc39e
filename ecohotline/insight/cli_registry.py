"""`ecohotline insight key-units`: the key units registry on the console.

    ecohotline insight key-units [--flag industry|area|unit] [--industry 62] [--street CODE] [--format table|json]
    ecohotline insight key-units --case 1234      # the units triage suggests for case 1234

The registry holds business contacts only; no complainant's name or phone is printed.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ecohotline.cases.models import Case
from ecohotline.insight import registry
from ecohotline.org.models import OrgUnit


def register(subparsers: Any) -> None:
    """Add this topic's subcommands; each sets `handler=callable(command, options)` as its default."""
    parser = subparsers.add_parser("key-units", help="List the key units registry, or the units suggested for a "
                                                     "case.")
    parser.add_argument("--flag", choices=sorted(registry.FLAGS))
    parser.add_argument("--industry", help="GB/T 4754 code prefix (H, 62, 6210...).")
    parser.add_argument("--street", help="Street or town code.")
    parser.add_argument("--case", type=int, help="Print the units suggested for this case id.")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(handler=run_key_units)


def run_key_units(command: Any, options: dict[str, Any]) -> None:
    as_json = options.get("format") == "json"
    if options.get("case") is not None:
        case = Case.objects.filter(pk=options["case"]).first()
        if case is None:
            raise CommandError(_("--case: no case with id %(id)s.") % {"id": options["case"]})
        found: list[dict[str, Any]] = [
            {"id": s.key_unit.pk, "name": s.key_unit.name, "score": s.score, "distance_m": s.distance_m,
             "matched_name": s.matched_name, "same_street": s.same_street}
            for s in registry.suggest_key_units(case)]
        if as_json:
            command.stdout.write(json.dumps(found, ensure_ascii=False, indent=2))
            return
        for row in found:
            distance = "—" if row["distance_m"] is None else f"{row['distance_m']:.0f} m"
            command.stdout.write(f"#{row['id']:<6} {row['score']:.2f}  {distance:>8}  {row['name']}  "
                                 f"{row['matched_name']}")
        if not found:
            command.stdout.write(_("No registered key unit matches this case."))
        return
    street = None
    if options.get("street"):
        street = OrgUnit.objects.filter(code=options["street"]).first()
        if street is None:
            raise CommandError(_("--street: no unit with code %(code)s.") % {"code": options["street"]})
    units = registry.key_units(flag=options.get("flag") or "", industry=options.get("industry") or "",
                               street=street)
    rows: list[dict[str, Any]] = [
        {"id": unit.pk, "name": unit.name, "industry_code": unit.industry_code, "flags": unit.flag_codes,
         "street": unit.street.name if unit.street else None, "team": unit.team.name if unit.team else None,
         "complaints": getattr(unit, "complaints", 0)} for unit in units]
    if as_json:
        command.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        command.stdout.write(f"#{row['id']:<6} {row['complaints']:>5}  {row['industry_code'] or '—':<6} "
                             f"{','.join(row['flags']):<20} {row['street'] or '—'}  {row['name']}")
    command.stdout.write(_("%(count)d registered units.") % {"count": len(rows)})
