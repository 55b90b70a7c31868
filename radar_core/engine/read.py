"""Every figure of every system over windows, read from the engine's tables.

Two ways to count a window's reports, same figures (tests hold them equal):

- the counters (``counters.py``): two look-ups per system at the window's ends, the partial
  hours at both ends, the few pairs of timestamps that span the window, and the latency blocks
  it covers. What a window costs grows with its number of days (latency blocks), not with its
  reports. Used for windows over every project.
- the facts directly, with the window's conditions (``_direct_counts``): what a window costs grows
  with the facts it holds. Used with a project filter.

The rest (last reports, watched projects, eligible patchsets, the silent check) is the same for
both: small index look-ups per system or project. At an end after every fact of a system (a
window ending now), its counters, last reports and watched projects come from its latest row
instead (``latest.py``).

``Reader.series`` reads many windows at once (a trend's buckets, the hours of the status
history): each input is one statement for all their ends, not one per window, so a 90-day trend
by day is some 15 statements instead of 1,500.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import (
    LargeBinary,
    and_,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from radar_core import models, stats
from radar_core.engine import counters, latest
from radar_core.engine.increments import (
    NARROW,
    counter_increments_in,
    narrow_enough,
    systems_total,
)
from radar_core.engine.latency import DTYPE, LatencySet
from radar_core.engine.refresh import LONG, STATE_ID, micros, reference_id, week_of
from radar_core.engine.settings import EngineSettings
from radar_core.engine.sql import chunks, dialect_of, hour_floor, parse_hour

DAY = timedelta(days=1)
ONE_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class SystemKey:
    id: int
    username: str | None
    recheck_keyword: str | None


@dataclass
class _Ends:
    """What is known of each system at the window's end (the status needs it)."""

    last_report: dict[int, datetime]
    last_success: dict[int, datetime]
    watched: dict[int, set[int]]


class Reader:
    """Figures over windows, on one connection (one consistent snapshot).

    ``series`` reads the figures of many windows together (a trend's buckets, the hours of the
    status history): each kind of input is one statement for all the windows' ends, whatever
    their number, and ``figures`` is the series of one window."""

    def __init__(self, conn, settings: EngineSettings):
        self.conn = conn
        self.settings = settings
        self.cfg = settings.health
        state = conn.execute(
            select(models.EngineState.counted_until).where(models.EngineState.id == STATE_ID)
        ).first()
        self.counted_until = state.counted_until if state else None
        self.reference = reference_id(conn, settings.reference_account)
        self._total: int | None = None  # CI systems, when a plan needs it
        self._latest: dict[int, latest.Latest | None] = {}  # None: the system has no row

    # -- the figures -------------------------------------------------------------------------
    def figures(
        self, systems, window: stats.Window, project_id: int | None = None
    ) -> dict[int, stats.SystemFigures]:
        return self.series(systems, [window], project_id)[0]

    def series(
        self, systems, windows: list[stats.Window], project_id: int | None = None
    ) -> list[dict[int, stats.SystemFigures]]:
        """The figures of every system over each of ``windows`` (in their order)."""
        ids = [s.id for s in systems]
        if not ids or not windows:
            return [{} for _ in windows]
        if project_id is None:
            counts = self._counted(ids, windows)
        else:
            counts = [self._direct_counts(ids, window, project_id) for window in windows]
        untils = sorted({window.until for window in windows})
        ends = self._ends_at(ids, untils, project_id)
        latencies = self._latencies(ids, windows, ends, project_id)
        eligible = self._eligible(windows, ids, ends)
        pending = self._pending(ids, untils, ends, project_id)
        return [
            {
                system_id: self._system(
                    system_id, counts[n][system_id], ends[window.until],
                    latencies[n][system_id], eligible[n],
                    pending[window.until].get(system_id, False), window,
                )
                for system_id in ids
            }
            for n, window in enumerate(windows)
        ]

    def _system(self, system_id, counts, ends, latency: LatencySet, eligible, pending, window):
        cfg = self.cfg
        watched = ends.watched.get(system_id, set())
        patchsets_eligible = _eligible_of(eligible, watched)
        reported = len(latency)
        on_time = latency.count_at_most(int(cfg.report_deadline / ONE_US)) if reported else 0
        decided = counts.success + counts.failure + counts.error
        components = {
            "coverage": reported / patchsets_eligible if patchsets_eligible else None,
            "timeliness": on_time / reported if reported else None,
            "success_rate": counts.success / decided if decided else None,
            "stability": 1 - counts.flaky / counts.reported if counts.reported else None,
        }
        score = stats.health_score(components, cfg)
        last_report = ends.last_report.get(system_id)
        last_success = ends.last_success.get(system_id)
        status = stats.health_status(
            last_report_at=last_report, last_success_at=last_success, score=score,
            pending_eligible=pending, until=window.until, cfg=cfg,
        )
        agreement = counts.agreement
        has_reference = self.reference is not None
        return stats.SystemFigures(
            reports=counts.reports, success=counts.success, failure=counts.failure,
            error=counts.error, other=counts.other,
            patchsets_eligible=patchsets_eligible, patchsets_reported=reported,
            latency_p50_s=latency.percentile_seconds(0.5),
            latency_p90_s=latency.percentile_seconds(0.9),
            last_report_at=last_report, last_success_at=last_success,
            rechecks=counts.rechecks, flaky_patchsets=counts.flaky,
            duplicate_reports=counts.duplicates,
            agreement=_share(agreement["agree"], agreement["common"]) if has_reference else None,
            false_failure_rate=(
                _share(agreement["false_failure"], agreement["ref_success"])
                if has_reference else None
            ),
            score=stats.capped_score(score, status, cfg), status=status, **components,
        )

    def reports_before(self, ids, moment: datetime) -> int:
        """How many verdicts of these systems are dated before ``moment``."""
        at = self._counters_at(ids, {moment})[moment] if ids else {}
        return sum(values[counters.INDEX["reports"]] for values in at.values())

    # -- counts from the counters ------------------------------------------------------------
    def _counted(self, ids, windows) -> list[dict[int, counters.WindowCounts]]:
        moments = {w.since for w in windows} | {w.until for w in windows}
        at = self._counters_at(ids, moments)
        spans = self._spans(ids, windows)
        zero = counters.zeros()
        return [
            {
                s: counters.window_counts(
                    at[w.since].get(s, zero), at[w.until].get(s, zero), spans[n][s]
                )
                for s in ids
            }
            for n, w in enumerate(windows)
        ]

    def _base(self, moment: datetime) -> datetime:
        """The stored hour a moment's counts start from: its hour, or the last one counted."""
        base = hour_floor(moment)
        return min(base, self.counted_until) if self.counted_until is not None else base

    def _counters_at(self, ids, moments) -> dict[datetime, dict[int, list[int]]]:
        """Every counter of each system at each of ``moments``: its latest row when every fact
        of it lies before the moment, else counted (``_counted_at``)."""
        covered, rest = self._split(ids, moments)
        values = {moment: {s: list(row.counts) for s, row in rows.items()}
                  for moment, rows in covered.items()}
        if rest:
            counted = self._counted_at(sorted(set().union(*rest.values())), set(rest))
            for moment, systems in rest.items():
                values[moment].update((s, counts) for s, counts in counted[moment].items()
                                      if s in systems)
        return values

    def _counted_at(self, ids, moments) -> dict[datetime, dict[int, list[int]]]:
        """Every counter of each system at each of ``moments``: the stored hour, then the facts
        since. The partial hours of moments in distinct hours are read in one statement (its
        sums come per hour); a moment past the last counted hour, or sharing an hour with
        another, in one more."""
        base_of = {moment: self._base(moment) for moment in moments}
        table = models.SystemHour.__table__
        stored: dict[datetime, dict[int, list[int]]] = defaultdict(dict)
        for chunk in chunks(ids):
            for hours in chunks(set(base_of.values())):
                rows = self.conn.execute(
                    select(table.c.hour, table.c.system_id, table.c.counts)
                    .where(table.c.hour.in_(hours), table.c.system_id.in_(chunk))
                )
                for hour, system_id, counts in rows:
                    stored[parse_hour(hour)][system_id] = json.loads(counts)
        values = {
            moment: {s: list(counts) for s, counts in stored[base].items()}
            for moment, base in base_of.items()
        }
        partial = sorted(m for m, base in base_of.items() if base < m)
        hourly: list[dict[datetime, datetime]] = []  # rounds of moments in distinct hours
        for moment in (m for m in partial if base_of[m] == hour_floor(m)):
            free = next((r for r in hourly if base_of[moment] not in r), None)
            if free is None:
                hourly.append(free := {})
            free[base_of[moment]] = moment
        for in_round in hourly:
            self._add_increments(values, ids, list(in_round.items()), in_round.__getitem__)
        for moment in (m for m in partial if base_of[m] != hour_floor(m)):
            self._add_increments(values, ids, [(base_of[moment], moment)],
                                 lambda _hour, moment=moment: moment)
        return values

    def _add_increments(self, values, ids, ranges, moment_of) -> None:
        """Add the facts of ``ranges`` to the counters of the moment ``moment_of`` their hour.
        Through the timestamps' own indexes (all systems' facts of the ranges) unless the
        systems are few (a quarter or less: then a look-up per system and range costs less)."""
        narrow = narrow_enough(all(end - start <= NARROW for start, end in ranges), len(ids),
                               self._systems_total())
        for system_id, hours in counter_increments_in(self.conn, ids, ranges, narrow).items():
            for hour, step in hours.items():
                row = values[moment_of(hour)].setdefault(system_id, counters.zeros())
                for index, value in enumerate(step):
                    row[index] += value

    def _spans(self, ids, windows) -> list[dict[int, dict[str, int]]]:
        """Per window and system, the pairs of timestamps with ``x < since`` and
        ``y >= until``."""
        ls = models.LongSpan
        kinds = [*counters.PAIRS, *counters.AGREEMENT_SPANS]
        stmt = (
            select(ls.day, ls.x, ls.y, ls.system_id, ls.kind, ls.value)
            .where(ls.day.in_(sorted({w.since.date() for w in windows})), ls.kind.in_(kinds),
                   ls.x < max(w.since for w in windows), ls.y >= min(w.until for w in windows))
        )
        by_day = defaultdict(list)
        for day, *row in self.conn.execute(stmt):
            by_day[day].append(row)
        wanted = set(ids)
        out = []
        for window in windows:
            rows = [
                (system_id, kind, value)
                for x, y, system_id, kind, value in by_day[window.since.date()]
                if x < window.since and y >= window.until
            ]
            if window.until - window.since < LONG:
                rows += self._short_spans(window)
            spans: dict[int, dict[str, int]] = {s: defaultdict(int) for s in ids}
            for system_id, kind, value in rows:
                if system_id not in wanted:
                    continue
                if kind in counters.AGREEMENT_SPANS:
                    for name in counters.span_values(value):
                        spans[system_id][f"{kind}:{name}"] += 1
                else:
                    spans[system_id][kind] += 1
            out.append(spans)
        return out

    def _short_spans(self, window) -> list[tuple[int, str, int]]:
        """Pairs less than a day apart that span a window shorter than a day."""
        since, until = window.since, window.until
        rf, ev = models.ReportFact, models.AgreementEvent
        found = []
        for kind, column in (("prev", rf.prev_at), ("fail", rf.fail_at),
                             ("fail2", rf.fail2_at), ("dup", rf.dup_prev_at)):
            for system_id, x, y in self.conn.execute(
                select(rf.system_id, column, rf.date)
                .where(column >= until - LONG, column < since, rf.date >= until)
            ):
                if y - x < LONG:
                    found.append((system_id, kind, 0))
        for kind, column in (("agree_lo", ev.e_lo), ("agree_hi", ev.e_hi)):
            for system_id, x, y, *flags in self.conn.execute(
                select(ev.system_id, ev.m, column, ev.agree, ev.ref_success, ev.false_failure)
                .where(ev.m >= until - LONG, ev.m < since, column >= until)
            ):
                if y - x < LONG:
                    found.append((system_id, kind, _flags(*flags)))
        return found

    # -- counts from the facts directly --------------------------------------------------------
    def _direct_counts(self, ids, window, project_id) -> dict[int, counters.WindowCounts]:
        since, until = window.since, window.until
        rf, rc, ev = models.ReportFact, models.RecheckFact, models.AgreementEvent

        def total(condition):
            return func.sum(case((condition, 1), else_=0))

        reports = {
            row.system_id: row
            for row in self.conn.execute(
                select(
                    rf.system_id, func.count().label("reports"),
                    total(rf.result_class == "success").label("success"),
                    total(rf.result_class == "failure").label("failure"),
                    total(rf.result_class == "error").label("error"),
                    total(or_(rf.prev_at.is_(None), rf.prev_at < since)).label("reported"),
                    total(and_(rf.fail_at >= since,
                               or_(rf.fail2_at.is_(None), rf.fail2_at < since))).label("flaky"),
                    total(rf.dup_prev_at >= since).label("duplicates"),
                )
                .where(rf.system_id.in_(ids), rf.project_id == project_id,
                       rf.date >= since, rf.date < until)
                .group_by(rf.system_id)
            )
        }
        rechecks = dict(self.conn.execute(
            select(rc.system_id, func.count())
            .where(rc.system_id.in_(ids), rc.project_id == project_id,
                   rc.date >= since, rc.date < until)
            .group_by(rc.system_id)
        ).all())
        agreement = {
            row.system_id: row
            for row in self.conn.execute(
                select(ev.system_id, func.count().label("common"),
                       total(ev.agree).label("agree"), total(ev.ref_success).label("ref_success"),
                       total(ev.false_failure).label("false_failure"))
                .where(ev.system_id.in_(ids), ev.project_id == project_id, ev.m >= since,
                       ev.e_lo < until, or_(ev.e_hi.is_(None), ev.e_hi >= until))
                .group_by(ev.system_id)
            )
        }
        out = {}
        for system_id in ids:
            row = reports.get(system_id)
            agreed = agreement.get(system_id)
            out[system_id] = counters.WindowCounts(
                reports=int(row.reports) if row else 0,
                success=int(row.success or 0) if row else 0,
                failure=int(row.failure or 0) if row else 0,
                error=int(row.error or 0) if row else 0,
                reported=int(row.reported or 0) if row else 0,
                flaky=int(row.flaky or 0) if row else 0,
                duplicates=int(row.duplicates or 0) if row else 0,
                rechecks=rechecks.get(system_id, 0),
                agreement={
                    name: int(getattr(agreed, name) or 0) if agreed else 0
                    for name in ("common", "agree", "ref_success", "false_failure")
                },
            )
        return out

    # -- the ends of the windows: last reports and watched projects ----------------------------
    def ends(self, ids, until, project_id=None) -> _Ends:
        return self._ends_at(ids, [until], project_id)[until]

    def _ends_at(self, ids, untils, project_id) -> dict[datetime, _Ends]:
        """What is known at each of ``untils``: the latest facts before each, per system (and
        project). Over every project, a system whose facts all lie before the until has them
        in its latest row; the others' are found in the indexes (``latest.looked_up``), a few
        rows each; reading the facts between the untils instead would read every report of a
        leaderboard's trend."""
        last_report: dict[datetime, dict] = defaultdict(dict)
        last_success: dict[datetime, dict] = defaultdict(dict)
        known: dict[datetime, list] = defaultdict(list)
        # The latest rows are over every project.
        covered, rest = self._split(ids, untils) if project_id is None else (
            {}, dict.fromkeys(untils, set(ids)))
        for until, rows in covered.items():
            for system_id, row in rows.items():
                if row.last_report_at is not None:
                    last_report[until][system_id] = row.last_report_at
                if row.last_success_at is not None:
                    last_success[until][system_id] = row.last_success_at
                known[until] += [(system_id, project, when)
                                 for project, when in row.last_known.items()]
        if rest:
            reports, successes, known_at = latest.looked_up(
                self.conn, sorted(set().union(*rest.values())), sorted(rest), project_id)
            for until, systems in rest.items():
                last_report[until].update(
                    (s, at) for s, at in reports[until].items() if s in systems)
                last_success[until].update(
                    (s, at) for s, at in successes[until].items() if s in systems)
                known[until] += [entry for entry in known_at[until] if entry[0] in systems]
        out = {}
        for until in untils:
            reports = last_report[until]
            watched: dict[int, set[int]] = defaultdict(set)
            for system_id, project, when in known[until]:
                last = reports.get(system_id)
                if last is not None and when >= last - self.cfg.watch_lookback:
                    watched[system_id].add(project)
            out[until] = _Ends(reports, last_success[until], watched)
        return out

    def _split(self, ids, moments) -> tuple[dict, dict]:
        """Per moment, the systems of ``ids`` whose every fact lies before it, with their latest
        rows (read once per reader); and, for the moments with any, the other systems (a set)."""
        unread = [s for s in ids if s not in self._latest]
        if unread:
            self._latest.update(dict.fromkeys(unread))
            self._latest.update(latest.read(self.conn, unread))
        covered, rest = {}, {}
        for moment in moments:
            covered[moment] = {s: row for s in ids
                               if (row := self._latest[s]) is not None and row.covers(moment)}
            if len(covered[moment]) < len(ids):
                rest[moment] = set(ids) - set(covered[moment])
        return covered, rest

    # -- patchsets: eligible, pending --------------------------------------------------------
    def _due(self, until: datetime) -> tuple[datetime, bool]:
        """The latest creation a patchset may have to be eligible, and whether it is included
        (created <= until - deadline; with no deadline, created < until)."""
        deadline = self.cfg.report_deadline
        return (until - deadline, True) if deadline > timedelta(0) else (until, False)

    def _eligible(self, windows, ids, ends) -> list[dict]:
        """Per window, the eligible patchsets created in it (before the deadline) of the
        projects these systems watch: per project, or, when every system watches the same
        projects at every end (one system's trend), their total under the key
        ``frozenset(projects)``, which reads a row per hour instead of one per project and hour
        (see ``_eligible_of``)."""
        sets = {frozenset(end.watched.get(s, ())) for end in ends.values() for s in ids}
        sets.discard(frozenset())
        projects = sorted(set().union(*sets))
        together = next(iter(sets)) if len(sets) == 1 else None
        bounds = []
        for window in windows:
            due, inclusive = self._due(window.until)
            bounds.append(None if due < window.since else ((window.since, False), (due, inclusive)))
        before = self._eligible_before({end for b in bounds if b for end in b}, projects,
                                       together)
        out = []
        for bound in bounds:
            if bound is None:
                out.append({})
                continue
            start, end = before[bound[0]], before[bound[1]]
            out.append({p: end.get(p, 0) - start.get(p, 0) for p in end})
        return out

    def _eligible_before(self, moments, projects, together) -> dict[tuple, dict]:
        """Per ``(moment, inclusive)`` and project of ``projects`` (or their total under the key
        ``together``, when given), its patchsets not superseded within the deadline created
        before the moment (or at it, when ``inclusive``): the stored hour, then the patchsets
        created since."""
        base_of = {key: self._base(key[0]) for key in moments}
        ph, ps = models.ProjectHour, models.Patchset
        stored: dict[datetime, dict] = defaultdict(dict)
        created: dict = defaultdict(list)
        ranges = _merged([(base, moment) for (moment, _), base in base_of.items()])
        if together is None:
            stored_hours = select(ph.hour, ph.project_id, ph.eligible)
        else:
            stored_hours = select(ph.hour, null(), func.sum(ph.eligible)).group_by(ph.hour)

        def key(project):
            return project if together is None else together

        for chunk in chunks(projects):
            # The projects too, not the hours alone: a look-up per (project, hour) instead of
            # a scan of every hour stored.
            for hours in chunks(set(base_of.values())):
                for hour, project, eligible in self.conn.execute(
                    stored_hours.where(ph.project_id.in_(chunk), ph.hour.in_(hours))
                ):
                    at = stored[parse_hour(hour)]
                    at[key(project)] = at.get(key(project), 0) + int(eligible)  # over chunks
            if ranges:
                for project, when in self.conn.execute(
                    select(ps.project_id, ps.created).where(
                        ps.project_id.in_(chunk), self._not_short(),
                        or_(*(and_(ps.created >= low, ps.created <= high)
                              for low, high in ranges)),
                    )
                ):
                    created[key(project)].append(when)
        for times in created.values():
            times.sort()
        out = {}
        for (moment, inclusive), base in base_of.items():
            counts = dict(stored[base])
            for project, times in created.items():
                upper = bisect_right if inclusive else bisect_left
                since_base = upper(times, moment) - bisect_left(times, base)
                if since_base:
                    counts[project] = counts.get(project, 0) + since_base
            out[(moment, inclusive)] = counts
        return out

    def _not_short(self):
        """Not superseded less than report_deadline after its creation."""
        return models.Patchset.lifetime_s >= int(self.cfg.report_deadline.total_seconds())

    def _pending(self, ids, untils, ends, project_id) -> dict[datetime, dict[int, bool]]:
        """Per until, the second half of 'silent': a due patchset of a watched project came
        after the system's last report. Looked for only where the first half holds (a last
        report older than silent_after); elsewhere the status does not read it (False)."""
        ps, pr = models.Patchset, models.Project
        out = {until: dict.fromkeys(ids, False) for until in untils}
        quiet = {until: [s for s in ids
                         if (last := ends[until].last_report.get(s)) is not None
                         and last < until - self.cfg.silent_after]
                 for until in untils}
        asked = [until for until in untils if quiet[until]]
        if not asked:
            return out
        dues = [self._due(until)[0] for until in asked]
        inclusive = self._due(asked[0])[1]
        projects = sorted({p for until in asked for s in quiet[until]
                           for p in ends[until].watched.get(s, ())})

        def due_by(moment):
            return ps.created <= moment if inclusive else ps.created < moment

        newest = (
            select(ps.created)
            .where(ps.project_id == pr.id, due_by(dues[0]), self._not_short())
            .order_by(ps.created.desc()).limit(1)
            .scalar_subquery()
        )
        latest: dict[int, datetime] = {}
        steps: dict[int, list] = defaultdict(list)
        for chunk in chunks(projects):
            latest.update(
                (p, when) for p, when in self.conn.execute(
                    select(pr.id, newest).where(pr.id.in_(chunk))) if when
            )
            if len(dues) == 1:
                continue
            step = case(*((due_by(due), n) for n, due in enumerate(dues[1:], 1)))
            stmt = (
                select(ps.project_id, step.label("step"), func.max(ps.created))
                .where(ps.project_id.in_(chunk), ~due_by(dues[0]), due_by(dues[-1]),
                       self._not_short())
                .group_by(ps.project_id, "step")
            )
            for project, n, when in self.conn.execute(stmt):
                steps[int(n)].append((project, when))
        for n, until in enumerate(asked):
            latest.update(steps.get(n, ()))
            last_report, watched = ends[until].last_report, ends[until].watched
            for system_id in quiet[until]:
                out[until][system_id] = any(
                    p in latest and latest[p] > last_report[system_id]
                    for p in watched.get(system_id, ())
                )
        return out

    def waiting(self, system_id, until, last_report, watched) -> int:
        """How many due patchsets of the watched projects came after the last report."""
        if last_report is None or not watched:
            return 0
        due, inclusive = self._due(until)
        ps = models.Patchset
        upper = ps.created <= due if inclusive else ps.created < due
        return int(self.conn.execute(
            select(func.count())
            .where(ps.project_id.in_(sorted(watched)), ps.created > last_report, upper,
                   self._not_short())
        ).scalar())

    # -- missed patchsets ----------------------------------------------------------------------
    def _missed_query(self, system_id, window, project_id):
        """Eligible patchsets of the window (the definition's, as counted in coverage) that
        the system has no report on before the window's end, or None when there is none."""
        due, inclusive = self._due(window.until)
        watched = self.ends([system_id], window.until, project_id).watched.get(system_id)
        if due < window.since or not watched:
            return None
        ps, ch, pr, rp = models.Patchset, models.Change, models.Project, models.Report
        upper = ps.created <= due if inclusive else ps.created < due
        reported = (
            select(rp.id)
            .where(rp.patchset_id == ps.id, rp.system_id == system_id, rp.kind == "report",
                   rp.date < window.until)
            .exists()
        )
        return (
            select(ps.id, ps.number, ps.created, ch.number.label("change"), ch.subject,
                   pr.name.label("project"))
            .join(ch, ch.id == ps.change_id)
            .join(pr, pr.id == ps.project_id)
            .where(ps.project_id.in_(sorted(watched)), ps.created >= window.since, upper,
                   self._not_short(), ~reported)
        )

    def missed(self, system_id, window, project_id, limit, after=None) -> list:
        """Up to ``limit`` missed patchsets, newest first (created, then id), after the
        ``(created, id)`` of ``after``."""
        stmt = self._missed_query(system_id, window, project_id)
        if stmt is None:
            return []
        ps = models.Patchset
        if after is not None:
            created, patchset_id = after
            stmt = stmt.where(or_(ps.created < created,
                                  and_(ps.created == created, ps.id < patchset_id)))
        stmt = stmt.order_by(ps.created.desc(), ps.id.desc()).limit(limit)
        return list(self.conn.execute(stmt))

    def missed_marker(self, system_id, window, project_id, patchset_id):
        """``(created, id)`` of ``patchset_id`` if it is a missed patchset of this list."""
        stmt = self._missed_query(system_id, window, project_id)
        if stmt is None:
            return None
        row = self.conn.execute(stmt.where(models.Patchset.id == patchset_id)).first()
        return (row.created, row.id) if row else None

    # -- latencies -----------------------------------------------------------------------------
    def _latencies(self, ids, windows, ends, project_id) -> list[dict[int, LatencySet]]:
        """Per window and system, the latencies of its reported eligible patchsets."""
        sets = [{s: LatencySet() for s in ids} for _ in windows]
        live = {}  # the windows with eligible patchsets: n -> (window, due, inclusive)
        for n, window in enumerate(windows):
            due, inclusive = self._due(window.until)
            if due >= window.since:
                live[n] = (window, due, inclusive)
        if live and project_id is not None:
            self._direct_latencies(ids, live, project_id, sets)
            for n, (window, _, _) in live.items():
                watched = ends[window.until].watched
                for system_id in ids:  # reported patchsets of a project it does not watch
                    if project_id not in watched.get(system_id, ()):
                        sets[n][system_id] = LatencySet()
        elif live:
            blocks = self._block_latencies(ids, live, sets)
            self._remove_late(ids, live, sets, blocks)
            for n, (window, due, inclusive) in live.items():
                if window.until - window.since > self.cfg.watch_lookback:
                    self._remove_unwatched(ids, window, due, inclusive,
                                           ends[window.until], sets[n])
        return [{s: latency.freeze() for s, latency in per.items()} for per in sets]

    def _facts_in(self, since, due, inclusive, *columns):
        """``columns`` (by default the system and the latency) of the patchset facts created
        in [since, due] (or [since, due) when not ``inclusive``), the short-lived left out."""
        pf, ps = models.PatchsetFact, models.Patchset
        upper = pf.created <= due if inclusive else pf.created < due
        return (
            select(*(columns or (pf.system_id, pf.latency_us)))
            .join(ps, ps.id == pf.patchset_id)
            .where(pf.created >= since, upper, self._not_short())
        )

    def _direct_latencies(self, ids, live, project_id, sets) -> None:
        pf = models.PatchsetFact
        windows = list(live.values())
        inclusive = windows[0][2]
        stmt = self._facts_in(
            min(w.since for w, _, _ in windows), max(due for _, due, _ in windows), inclusive,
            pf.created, pf.system_id, pf.first_at, pf.latency_us,
        ).where(pf.system_id.in_(ids), pf.project_id == project_id,
                pf.first_at < max(w.until for w, _, _ in windows))
        rows = sorted(self.conn.execute(stmt), key=lambda row: row[0])
        created = [row[0] for row in rows]
        for n, (window, due, inclusive) in live.items():
            upper = bisect_right if inclusive else bisect_left
            values = defaultdict(list)
            for _, system_id, first_at, latency in rows[
                bisect_left(created, window.since):upper(created, due)
            ]:
                if first_at < window.until:
                    values[system_id].append(latency)
            for system_id, latencies in values.items():
                sets[n][system_id].add(latencies)

    def _block_latencies(self, ids, live, sets) -> dict:
        """The latency blocks of the patchsets created in each window's [since, due]: whole
        weeks and days, and the two partial days filtered by creation time; every block that
        any window needs read once. Returns the blocks read, (system, days, first day) ->
        (latencies, creation times or None), the days of ``_late_days`` among them with their
        creation times."""
        plans = {n: _blocks_of(window.since, due) for n, (window, due, _) in live.items()}
        weeks = sorted({week for plan in plans.values() for week in plan[0]})
        timed = {day for plan in plans.values() for day in plan[2]}
        timed |= {day for window, due, _ in live.values() for day in _late_days(window, due)}
        whole = sorted({day for plan in plans.values() for day in plan[1]} - timed)
        lb = models.LatencyBlock
        blocks = {}
        # One window over MariaDB: its whole blocks come joined, one blob per system.
        joined = {} if len(live) == 1 and dialect_of(self.conn) != "sqlite" else None
        for chunk in chunks(ids):
            kinds = [(7, weeks, False), (1, whole, False)] if joined is None else []
            if joined is not None:
                joined.update(self._joined_blocks(chunk, weeks, whole))
            # One part per kind of block: MariaDB scans the whole table for an OR of them. Only
            # the partial days and the late removal need the creation times.
            parts = [
                select(lb.system_id, lb.days, lb.first_day, lb.latencies,
                       lb.created if with_created else null())
                .where(lb.system_id.in_(chunk), lb.days == span, lb.first_day.in_(firsts))
                for span, firsts, with_created in (*kinds, (1, sorted(timed), True))
                if firsts
            ]
            if not parts:
                continue
            for system_id, span, day, blob, created in self.conn.execute(union_all(*parts)):
                blocks[(system_id, span, day)] = (blob, created)
        for n, (weeks, days, partial) in plans.items():
            window, due, inclusive = live[n]
            for system_id, latencies in sets[n].items():
                if joined is None:
                    whole_blocks = [(7, day) for day in weeks] + [(1, day) for day in days]
                else:  # joined, but for the whole days read with their creation times
                    latencies.add_block(joined.get(system_id, b""))
                    whole_blocks = [(1, day) for day in days if day in timed]
                for span, day in whole_blocks:
                    if (block := blocks.get((system_id, span, day))) is not None:
                        latencies.add_block(block[0])
                for day in partial:
                    if (block := blocks.get((system_id, 1, day))) is not None:
                        latencies.add(_filtered(*block, window.since, due, inclusive))
        return blocks

    def _joined_blocks(self, ids, weeks, days) -> dict[int, bytes]:
        """Per system, its week blocks of ``weeks`` and day blocks of ``days`` joined into one
        blob (MariaDB's GROUP_CONCAT; group_concat_max_len set at connect, db.py), which costs
        a row per system instead of one per block (the OR of the two kinds is read as ranges of
        the primary key, system, span and day). A system whose join came back short (a session
        with a smaller limit) has its blocks read one by one."""
        lb = models.LatencyBlock
        kinds = [and_(lb.days == span, lb.first_day.in_(firsts))
                 for span, firsts in ((7, weeks), (1, days)) if firsts]
        if not kinds:
            return {}
        joined = literal_column("GROUP_CONCAT(latency_blocks.latencies SEPARATOR '')",
                                LargeBinary)
        out, short = {}, []
        for system_id, blob, length in self.conn.execute(
            select(lb.system_id, joined, func.sum(func.length(lb.latencies)))
            .where(lb.system_id.in_(ids), or_(*kinds)).group_by(lb.system_id)
        ):
            if blob is not None and len(blob) == int(length):
                out[system_id] = bytes(blob)
            else:
                short.append(system_id)
        if short:
            parts = defaultdict(list)
            for system_id, blob in self.conn.execute(
                select(lb.system_id, lb.latencies).where(lb.system_id.in_(short), or_(*kinds))
            ):
                parts[system_id].append(blob)
            out.update((system_id, b"".join(blobs)) for system_id, blobs in parts.items())
        return out

    def _remove_late(self, ids, live, sets, blocks) -> None:
        """Take out the patchsets of each window first reported after it (not reported then):
        those first reported less than a day after the window's end from the one-day blocks
        (``_late_in_blocks``), the others from the long spans."""
        ls = models.LongSpan
        removed = _late_in_blocks(ids, live, blocks)
        untils = [window.until for window, _, _ in live.values()]
        long = (
            select(ls.system_id, ls.x, ls.y, ls.value, ls.day)
            .where(ls.day.in_(sorted({u.date() for u in untils})), ls.kind == "late",
                   ls.y >= min(untils), ls.x >= min(w.since for w, _, _ in live.values()),
                   ls.x <= max(due for _, due, _ in live.values()))
        )
        spans = defaultdict(list)
        for system_id, x, y, value, day in self.conn.execute(long):
            spans[day].append((system_id, x, y, value))
        for n, (window, due, inclusive) in live.items():
            for system_id, created, first_at, latency in spans[window.until.date()]:
                in_window = window.since <= created and (
                    created <= due if inclusive else created < due)
                if in_window and first_at >= window.until:
                    removed[n][system_id].append(latency)
            for system_id, values in removed[n].items():
                if system_id in sets[n]:
                    sets[n][system_id].remove(values)

    def _systems_total(self) -> int:
        if self._total is None:
            self._total = systems_total(self.conn)
        return self._total

    def _remove_unwatched(self, ids, window, due, inclusive, ends, sets) -> None:
        """Over a window longer than the lookback, reported patchsets may lie in projects the
        system no longer watches: take them out."""
        pf, sp = models.PatchsetFact, models.SystemProject
        pairs = self.conn.execute(select(sp.system_id, sp.project_id).where(sp.system_id.in_(ids)))
        for system_id, project in pairs:
            if project in ends.watched.get(system_id, ()):
                continue
            stmt = self._facts_in(window.since, due, inclusive).where(
                pf.system_id == system_id, pf.project_id == project, pf.first_at < window.until
            )
            sets[system_id].remove(latency for _, latency in self.conn.execute(stmt))


def _blocks_of(since: datetime, due: datetime) -> tuple[list, list, list]:
    """The latency blocks of patchsets created in [since, due]: whole weeks, whole days, and
    the partial days (to filter by creation time)."""
    first_day, last_day = since.date(), due.date()
    full_from = first_day if since == _midnight(first_day) else first_day + DAY
    weeks, days, covered = [], [], set()
    day = full_from
    while day < last_day:  # the last day is always partial: its end is 'due'
        if day == week_of(day) and day + timedelta(days=7) <= last_day:
            weeks.append(day)
            covered.update(day + timedelta(days=n) for n in range(7))
            day += timedelta(days=7)
        else:
            days.append(day)
            covered.add(day)
            day += DAY
    return weeks, days, sorted({first_day, last_day} - covered)


def _merged(ranges) -> list[tuple[datetime, datetime]]:
    """The closed ranges ``ranges`` covers, overlapping ones merged."""
    merged: list[list[datetime]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return [(low, high) for low, high in merged]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def _eligible_of(eligible: dict, watched: set[int]) -> int:
    """The eligible patchsets of the ``watched`` projects, from ``Reader._eligible``'s counts."""
    total = eligible.get(frozenset(watched))
    return total if total is not None else sum(eligible.get(p, 0) for p in watched)


def _late_days(window, due) -> list[date]:
    """The days whose one-day blocks hold the window's patchsets first reported less than a day
    after its end: those created in (until - LONG, until), within [since, due]."""
    first = max((window.until - LONG).date(), window.since.date())
    return [first + timedelta(days=n) for n in range((due.date() - first).days + 1)
            if _midnight(first + timedelta(days=n)) < window.until]


def _late_in_blocks(ids, live, blocks) -> dict[int, dict[int, list[int]]]:
    """Per window and system, the latencies of its patchsets first reported in [until,
    until + LONG): created in [since, due], their creation plus latency at or after the end;
    read off the one-day blocks (every fact of the system's day, creation times included),
    which costs a block per day of the windows' ends, not a fact per patchset of the windows."""
    removed: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    long_us = int(LONG / ONE_US)
    for n, (window, due, inclusive) in live.items():
        until = micros(window.until)
        for day in _late_days(window, due):
            for system_id in ids:
                block = blocks.get((system_id, 1, day))
                if block is None:
                    continue
                values, times = np.frombuffer(block[0], DTYPE), np.frombuffer(block[1], DTYPE)
                late = (_created_in(times, window.since, due, inclusive)
                        & (times + values >= until) & (values < long_us))
                if late.any():
                    removed[n][system_id] += values[late].tolist()
    return removed


def _created_in(times: np.ndarray, since, due, inclusive) -> np.ndarray:
    """Which of a one-day block's creation times lie in [since, due] (or [since, due))."""
    low, high = micros(since), micros(due)
    return (times >= low) & ((times <= high) if inclusive else (times < high))


def _filtered(latencies: bytes, created: bytes, since, due, inclusive) -> np.ndarray:
    """The values of a one-day block whose patchset was created in [since, due]."""
    values, times = np.frombuffer(latencies, DTYPE), np.frombuffer(created, DTYPE)
    return values[_created_in(times, since, due, inclusive)]


def _flags(agree, ref_success, false_failure) -> int:
    bits = counters.FLAG_BITS
    return (bits["agree"] if agree else 0) | (bits["ref_success"] if ref_success else 0) | (
        bits["false_failure"] if false_failure else 0
    )


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None

