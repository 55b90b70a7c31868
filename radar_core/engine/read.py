"""Every figure of every system over a window, read from the engine's tables.

Two ways, same figures (tests hold them equal):

- the counters (``counters.py``): two look-ups per system at the window's ends, the partial
  hours at both ends, the few pairs of timestamps that span the window, and the latency blocks
  it covers. What a window costs grows with its number of days (latency blocks), not with its
  reports. Used for windows over every project.
- the facts directly, with the window's conditions (``_direct_counts``): what a window costs grows
  with the facts it holds. Used with a project filter.

The rest (last reports, watched projects, eligible patchsets, the silent check) is the same for
both: small index look-ups per system or project.
"""

from __future__ import annotations

import array
import json
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, true

from radar_core import models, stats
from radar_core.engine import counters
from radar_core.engine.latency import LatencySet
from radar_core.engine.refresh import (
    LONG,
    STATE_ID,
    counter_increments,
    micros,
    reference_id,
    week_of,
)
from radar_core.engine.settings import EngineSettings
from radar_core.engine.sql import chunks, hour_floor

DAY = timedelta(days=1)
ONE_US = timedelta(microseconds=1)


# Moments whose counters a reader keeps: consecutive buckets share their ends, so a few do.
COUNTERS_KEPT = 16


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
    """Figures over windows, on one connection (one consistent snapshot)."""

    def __init__(self, conn, settings: EngineSettings):
        self.conn = conn
        self.settings = settings
        self.cfg = settings.health
        state = conn.execute(
            select(models.EngineState.counted_until).where(models.EngineState.id == STATE_ID)
        ).first()
        self.counted_until = state.counted_until if state else None
        self.reference = reference_id(conn, settings.reference_account)
        self._latest_cache: dict = {}
        # Counters at a moment, the few latest kept for this reader's life (one snapshot): the
        # end of one trend bucket is the start of the next.
        self._counters: OrderedDict = OrderedDict()

    # -- the figures -------------------------------------------------------------------------
    def figures(
        self, systems, window: stats.Window, project_id: int | None = None
    ) -> dict[int, stats.SystemFigures]:
        ids = [s.id for s in systems]
        if not ids:
            return {}
        if project_id is None:
            window_counts = self._counted(ids, window)
        else:
            window_counts = self._direct_counts(ids, window, project_id)
        ends = self._ends(ids, window.until, project_id)
        latencies = self._latencies(ids, window, ends, project_id)
        eligible = self._eligible(window, project_id)
        pending = self._pending(ids, window.until, ends, project_id)
        return {
            system_id: self._system(
                system_id, window_counts[system_id], ends, latencies[system_id], eligible,
                pending.get(system_id, False), window,
            )
            for system_id in ids
        }

    def _system(self, system_id, counts, ends, latency: LatencySet, eligible, pending, window):
        cfg = self.cfg
        watched = ends.watched.get(system_id, set())
        patchsets_eligible = sum(eligible.get(p, 0) for p in watched)
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

    # -- counts from the counters ------------------------------------------------------------
    def _counted(self, ids, window) -> dict[int, counters.WindowCounts]:
        at_since = self.counters_at(ids, window.since)
        at_until = self.counters_at(ids, window.until)
        spans = self._spans(ids, window)
        zero = counters.zeros()
        return {
            s: counters.window_counts(at_since.get(s, zero), at_until.get(s, zero), spans[s])
            for s in ids
        }

    def counters_at(self, ids, moment: datetime) -> dict[int, list[int]]:
        """Every counter of each system at ``moment``: the stored hour, then the facts since.
        Read-only for callers: the answer is kept for another window ending or starting at
        the same moment."""
        key = (tuple(sorted(ids)), moment)
        if key in self._counters:
            self._counters.move_to_end(key)
            return self._counters[key]
        values = self._counters[key] = self._read_counters(ids, moment)
        while len(self._counters) > COUNTERS_KEPT:
            self._counters.popitem(last=False)
        return values

    def _read_counters(self, ids, moment: datetime) -> dict[int, list[int]]:
        base = hour_floor(moment)
        if self.counted_until is not None:
            base = min(base, self.counted_until)
        table = models.SystemHour.__table__
        values = {}
        for chunk in chunks(ids):
            rows = self.conn.execute(
                select(table.c.system_id, table.c.counts)
                .where(table.c.hour == base, table.c.system_id.in_(chunk))
            )
            values.update((system_id, json.loads(counts)) for system_id, counts in rows)
        if base < moment:
            for system_id, hours in counter_increments(self.conn, ids, base, moment).items():
                row = values.setdefault(system_id, counters.zeros())
                for step in hours.values():
                    for index, value in enumerate(step):
                        row[index] += value
        return values

    def _spans(self, ids, window) -> dict[int, dict[str, int]]:
        """Per system, the pairs of timestamps with ``x < since`` and ``y >= until``."""
        m = models
        out: dict[int, dict[str, int]] = {s: defaultdict(int) for s in ids}
        kinds = [*counters.PAIRS, *counters.AGREEMENT_SPANS]
        stmt = (
            select(m.LongSpan.system_id, m.LongSpan.kind, m.LongSpan.value)
            .where(m.LongSpan.day == window.since.date(), m.LongSpan.kind.in_(kinds),
                   m.LongSpan.x < window.since, m.LongSpan.y >= window.until)
        )
        rows = list(self.conn.execute(stmt))
        if window.until - window.since < LONG:
            rows += self._short_spans(window)
        wanted = set(ids)
        for system_id, kind, value in rows:
            if system_id not in wanted:
                continue
            if kind in counters.AGREEMENT_SPANS:
                for name in counters.span_values(value):
                    out[system_id][f"{kind}:{name}"] += 1
            else:
                out[system_id][kind] += 1
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

    # -- the end of the window: last reports and watched projects ------------------------------
    def _ends(self, ids, until, project_id) -> _Ends:
        rf = models.ReportFact
        last_report, last_success = {}, {}
        for chunk in chunks(ids):
            systems = select(models.CISystem.id).where(models.CISystem.id.in_(chunk)).subquery()

            def latest(*conditions, systems=systems):
                stmt = (
                    select(rf.date)
                    .where(rf.system_id == systems.c.id, rf.date < until, *conditions)
                    .order_by(rf.date.desc()).limit(1)
                )
                if project_id is not None:
                    stmt = stmt.where(rf.project_id == project_id)
                return stmt.scalar_subquery()

            stmt = select(systems.c.id, latest(), latest(rf.result_class == "success"))
            for system_id, report, success in self.conn.execute(stmt):
                if report is not None:
                    last_report[system_id] = report
                if success is not None:
                    last_success[system_id] = success
        watched = self._watched(last_report, until, project_id)
        return _Ends(last_report, last_success, watched)

    def _watched(self, last_report, until, project_id) -> dict[int, set[int]]:
        """Projects each system reported on (a known patchset) in the lookback before its last
        report before ``until``."""
        rf, sp = models.ReportFact, models.SystemProject
        latest = (
            select(rf.date)
            .where(rf.system_id == sp.system_id, rf.project_id == sp.project_id,
                   # '= true', not 'IS true': MariaDB uses the index's known part only for
                   # an equality, else it reads every fact of the pair for each look-up.
                   rf.known == true(), rf.date < until)
            .order_by(rf.date.desc()).limit(1)
            .scalar_subquery()
        )
        watched: dict[int, set[int]] = defaultdict(set)
        for chunk in chunks(last_report):
            stmt = select(sp.system_id, sp.project_id, latest).where(sp.system_id.in_(chunk))
            if project_id is not None:
                stmt = stmt.where(sp.project_id == project_id)
            for system_id, project, when in self.conn.execute(stmt):
                if when is not None and when >= last_report[system_id] - self.cfg.watch_lookback:
                    watched[system_id].add(project)
        return watched

    # -- patchsets: eligible, pending --------------------------------------------------------
    def _due(self, until: datetime) -> tuple[datetime, bool]:
        """The latest creation a patchset may have to be eligible, and whether it is included
        (created <= until - deadline; with no deadline, created < until)."""
        deadline = self.cfg.report_deadline
        return (until - deadline, True) if deadline > timedelta(0) else (until, False)

    def _eligible(self, window, project_id) -> dict[int, int]:
        """Per project, its eligible patchsets created in the window (before the deadline)."""
        due, inclusive = self._due(window.until)
        if due < window.since:
            return {}
        start = self._eligible_before(window.since, project_id, False)
        end = self._eligible_before(due, project_id, inclusive)
        return {p: end.get(p, 0) - start.get(p, 0) for p in end}

    def _eligible_before(self, moment, project_id, inclusive) -> dict[int, int]:
        """Per project, its patchsets not superseded within the deadline created before
        ``moment`` (or at it, when ``inclusive``)."""
        base = hour_floor(moment)
        if self.counted_until is not None:
            base = min(base, self.counted_until)
        ph, ps = models.ProjectHour, models.Patchset
        stmt = select(ph.project_id, ph.eligible).where(ph.hour == base)
        if project_id is not None:
            stmt = stmt.where(ph.project_id == project_id)
        counts = dict(self.conn.execute(stmt).all())
        upper = ps.created <= moment if inclusive else ps.created < moment
        stmt = (
            select(ps.project_id, func.count())
            .where(ps.created >= base, upper, self._not_short())
            .group_by(ps.project_id)
        )
        if project_id is not None:
            stmt = stmt.where(ps.project_id == project_id)
        for project, count in self.conn.execute(stmt):
            counts[project] = counts.get(project, 0) + count
        return counts

    def _not_short(self):
        """Not superseded less than report_deadline after its creation."""
        return models.Patchset.lifetime_s >= int(self.cfg.report_deadline.total_seconds())

    def _pending(self, ids, until, ends: _Ends, project_id) -> dict[int, bool]:
        """The second half of 'silent': a due patchset of a watched project came after the
        system's last report."""
        due, inclusive = self._due(until)
        ps, pr = models.Patchset, models.Project
        projects = sorted({p for s in ids for p in ends.watched.get(s, ())})
        latest = {}
        upper = ps.created <= due if inclusive else ps.created < due
        newest = (
            select(ps.created)
            .where(ps.project_id == pr.id, upper, self._not_short())
            .order_by(ps.created.desc()).limit(1)
            .scalar_subquery()
        )
        for chunk in chunks(projects):
            latest.update(self.conn.execute(select(pr.id, newest).where(pr.id.in_(chunk))).all())
        pending = {}
        for system_id in ids:
            last = ends.last_report.get(system_id)
            created = [latest.get(p) for p in ends.watched.get(system_id, ())]
            pending[system_id] = any(c is not None and (last is None or c > last) for c in created)
        return pending

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
        watched = self._ends([system_id], window.until, project_id).watched.get(system_id)
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
    def _latencies(self, ids, window, ends: _Ends, project_id) -> dict[int, LatencySet]:
        """Per system, the latencies of its reported eligible patchsets."""
        sets = {s: LatencySet() for s in ids}
        due, inclusive = self._due(window.until)
        if due < window.since:
            return {s: latency.freeze() for s, latency in sets.items()}
        if project_id is not None:
            self._direct_latencies(ids, window, due, inclusive, project_id, sets)
            for system_id in ids:  # reported patchsets of a project it does not watch
                if project_id not in ends.watched.get(system_id, ()):
                    sets[system_id] = LatencySet()
            return {s: latency.freeze() for s, latency in sets.items()}
        self._block_latencies(ids, window.since, due, inclusive, sets)
        self._remove_late(ids, window, due, inclusive, sets)
        if window.until - window.since > self.cfg.watch_lookback:
            self._remove_unwatched(ids, window, due, inclusive, ends, sets)
        return {s: latency.freeze() for s, latency in sets.items()}

    def _facts_in(self, since, due, inclusive):
        pf, ps = models.PatchsetFact, models.Patchset
        upper = pf.created <= due if inclusive else pf.created < due
        return (
            select(pf.system_id, pf.latency_us)
            .join(ps, ps.id == pf.patchset_id)
            .where(pf.created >= since, upper, self._not_short())
        )

    def _direct_latencies(self, ids, window, due, inclusive, project_id, sets) -> None:
        pf = models.PatchsetFact
        stmt = self._facts_in(window.since, due, inclusive).where(
            pf.system_id.in_(ids), pf.project_id == project_id, pf.first_at < window.until
        )
        values = defaultdict(list)
        for system_id, latency in self.conn.execute(stmt):
            values[system_id].append(latency)
        for system_id, latency in values.items():
            sets[system_id].add(latency)

    def _block_latencies(self, ids, since, due, inclusive, sets) -> None:
        """The latency blocks of the patchsets created in [since, due]: whole weeks and days,
        and the two partial days filtered by creation time."""
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
        partial = sorted({first_day, last_day} - covered)
        lb = models.LatencyBlock
        for chunk in chunks(ids):
            conditions = []
            if weeks:
                conditions.append(and_(lb.days == 7, lb.first_day.in_(weeks)))
            if days:
                conditions.append(and_(lb.days == 1, lb.first_day.in_(days)))
            conditions.append(and_(lb.days == 1, lb.first_day.in_(partial)))
            stmt = select(lb.system_id, lb.days, lb.first_day, lb.latencies, lb.created).where(
                lb.system_id.in_(chunk), or_(*conditions)
            )
            for system_id, span, day, blob, created in self.conn.execute(stmt):
                if span == 1 and day in partial:
                    sets[system_id].add(_filtered(blob, created, since, due, inclusive))
                else:
                    sets[system_id].add_block(blob)

    def _remove_late(self, ids, window, due, inclusive, sets) -> None:
        """Take out the patchsets of the window first reported after it (not reported then)."""
        until = window.until
        pf = models.PatchsetFact
        short = self._facts_in(window.since, due, inclusive).where(
            pf.first_at >= until, pf.first_at < until + LONG,
            pf.latency_us < int(LONG / ONE_US),
        )
        ls = models.LongSpan
        upper = ls.x <= due if inclusive else ls.x < due
        long = (
            select(ls.system_id, ls.value)
            .where(ls.day == until.date(), ls.kind == "late", ls.y >= until,
                   ls.x >= window.since, upper)
        )
        removed = defaultdict(list)
        for stmt in (short, long):
            for system_id, latency in self.conn.execute(stmt):
                if system_id in sets:
                    removed[system_id].append(latency)
        for system_id, values in removed.items():
            sets[system_id].remove(values)

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


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def _filtered(latencies: bytes, created: bytes, since, due, inclusive) -> list[int]:
    """The values of a one-day block whose patchset was created in [since, due]."""
    values, times = array.array("q"), array.array("q")
    values.frombytes(latencies)
    times.frombytes(created)
    low, high = micros(since), micros(due)
    return [
        value for value, when in zip(values, times, strict=True)
        if when >= low and (when <= high if inclusive else when < high)
    ]


def _flags(agree, ref_success, false_failure) -> int:
    bits = counters.FLAG_BITS
    return (bits["agree"] if agree else 0) | (bits["ref_success"] if ref_success else 0) | (
        bits["false_failure"] if false_failure else 0
    )


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None

