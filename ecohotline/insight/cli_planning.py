"""`ecohotline insight ...` subcommands: the planner and the effect of proactive tasks.

    ecohotline insight plan [--date 2026-05-10] [--dry-run] [--format table|json]
    ecohotline insight effect --start 2026-03-01 --end 2026-03-31 [--weeks 8] [--format table|json]

`plan` runs the collectors (seasonal plans, open unusual-rise alerts...) and proposes the tasks not already
proposed; `--dry-run` only prints the signals. `effect` prints each finished task's difference in differences, the
sums and the 未诉先办 share. No complainant's name or phone is printed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ecohotline.core.workdays import BEIJING
from ecohotline.insight import effect, planner


def _as_date(value: Any, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CommandError(_("--%(name)s: not a date (YYYY-MM-DD): %(value)s") % {"name": name, "value": value}
                           ) from None


def register(subparsers: Any) -> None:
    """Add this topic's subcommands; each sets `handler=callable(command, options)` as its default."""
    plan = subparsers.add_parser("plan", help="Run the planner's collectors and propose patrol tasks.")
    plan.add_argument("--date", help="Plan as on this day (YYYY-MM-DD, Beijing); default today.")
    plan.add_argument("--dry-run", action="store_true", help="Print the signals; propose nothing.")
    plan.add_argument("--format", choices=["table", "json"], default="table")
    plan.set_defaults(handler=run_plan)
    found = subparsers.add_parser("effect", help="The effect of the tasks finished in a period, and the 未诉先办 "
                                                 "share.")
    found.add_argument("--start", required=True, help="First day (YYYY-MM-DD).")
    found.add_argument("--end", required=True, help="Last day, included.")
    found.add_argument("--weeks", type=int, default=effect.DEFAULT_WEEKS, help="Weeks before and after (1–52).")
    found.add_argument("--format", choices=["table", "json"], default="table")
    found.set_defaults(handler=run_effect)


def run_plan(command: Any, options: dict[str, Any]) -> None:
    day = _as_date(options.get("date"), "date")
    now = timezone.now() if day is None else dt.datetime.combine(day, dt.time(9), tzinfo=BEIJING)
    if options.get("dry_run"):
        signals = planner.collect_signals(timezone.localdate(now))
        rows = [{"source": s.source, "title": s.title, "category": s.category,
                 "street": s.street.name if s.street else None, "score": s.score, "key": planner.source_key(s),
                 "blocked": planner.is_blocked(planner.source_key(s), now=now)} for s in signals]
        if options.get("format") == "json":
            command.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            mark = _("already proposed") if row["blocked"] else _("new")
            command.stdout.write(f"{row['source']:<16} {row['score']:>6.2f}  {row['title']}  ({mark})")
        command.stdout.write(_("%(count)d signals.") % {"count": len(rows)})
        return
    made = planner.propose_now(actor=None, now=now)
    if options.get("format") == "json":
        command.stdout.write(json.dumps([{"id": p.pk, "title": p.title, "source": p.source, "category": p.category,
                                          "team": p.team.name if p.team else None,
                                          "deadline": p.deadline.isoformat() if p.deadline else None}
                                         for p in made], ensure_ascii=False, indent=2))
        return
    for proposal in made:
        team = proposal.team.name if proposal.team else "—"
        deadline = proposal.deadline.isoformat() if proposal.deadline else "—"
        command.stdout.write(f"#{proposal.pk:<6} {proposal.source:<16} {proposal.title}  {team}  {deadline}")
    command.stdout.write(_("%(count)d tasks proposed.") % {"count": len(made)})


def run_effect(command: Any, options: dict[str, Any]) -> None:
    start, end = _as_date(options.get("start"), "start"), _as_date(options.get("end"), "end")
    assert start is not None and end is not None
    if end < start or (end - start).days > 366 * 3:
        raise CommandError(_("The end must be on or after the start, within three years."))
    weeks = options.get("weeks") or effect.DEFAULT_WEEKS
    if not 1 <= weeks <= 52:
        raise CommandError(_("--weeks: give a whole number from 1 to 52."))
    period = effect.period_effect(start, end, weeks=weeks)
    share = effect.proactive_share(start, end)
    rows = [{"id": e.proposal.pk, "title": e.proposal.title, "area": e.area, "finished": e.pivot.isoformat(),
             "complete": e.complete, "before": e.treated_before, "after": e.treated_after,
             "comparison_units": e.comparison_units, "comparison_before": e.comparison_before,
             "comparison_after": e.comparison_after, "did": e.did} for e in period.effects]
    summary = {"tasks": len(rows), "before": period.treated_before, "after": period.treated_after,
               "did": period.did, "problems_found": share.problems_found, "complaints": share.complaints,
               "proactive_share": share.share}
    if options.get("format") == "json":
        command.stdout.write(json.dumps({"tasks": rows, "summary": summary}, ensure_ascii=False, indent=2))
        return
    for row in rows:
        did = "—" if row["did"] is None else f"{row['did']:+.1f}"
        command.stdout.write(f"#{row['id']:<6} {row['area']:<8} {row['before']:>4} → {row['after']:<4} "
                             f"cmp {row['comparison_units']}: {row['comparison_before']} → "
                             f"{row['comparison_after']}  DiD {did}  {row['title']}")
    share_text = "—" if share.share is None else f"{share.share:.1%}"
    command.stdout.write(f"{_('Total')}: {summary['before']} → {summary['after']}  DiD {summary['did']}  "
                         f"{_('Proactive share')}: {share_text} ({share.problems_found} / "
                         f"{share.problems_found} + {share.complaints})")
