"""A deterministic Gerrit world: projects, changes, humans and third-party CI systems.

The world is a discrete-event simulation. Each event (a change arriving, a patchset upload, a CI
verdict, a recheck...) may schedule later events; events due after ``end`` stay queued, so
``advance()`` only moves ``end`` and runs the queue further. Every message keeps its ground truth
(kind, result, recheck target...) so that truth.py never parses text.

All times are naive UTC datetimes with whole seconds. Same seed, days, end and rate: same world.
"""

from __future__ import annotations

import heapq
import random
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from radar_demo import render
from radar_demo.render import Job

NOVA, CINDER, NEUTRON, SWIFT = (
    "openstack/nova",
    "openstack/cinder",
    "openstack/neutron",
    "openstack/swift",
)
PROJECT_WEIGHTS = {NOVA: 32, NEUTRON: 28, CINDER: 24, SWIFT: 16}
BRANCHES = ("master", "stable/2026.1")
CI_GROUP_NAME = "third-party-ci"
CI_GROUP_ID = 7
CI_GROUP_UUID = "c1c1c1c1d2d2d2d2e3e3e3e3f4f4f4f4a5a5a5a5"

MESSAGE_KINDS = ("report", "notice", "recheck", "human", "gerrit")
_REPORT_CLASSES = {"SUCCESS": "success", "FAILURE": "failure", "ABORTED": "skipped"}


def report_class(result: str) -> str:
    """Class of a report's overall result word (docs/definitions.md)."""
    if result == "UNKNOWN":
        return "unknown"
    return _REPORT_CLASSES.get(result, "error")


# --- the data model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    username: str
    email: str


@dataclass(frozen=True)
class JobSpec:
    """A job a CI runs; ``name`` may hold ``{short}`` (the project's short name)."""

    name: str | None
    voting: bool = True
    style: str = "url"
    chance: float = 1.0  # share of reports that list this job
    minutes: tuple[int, int] = (5, 60)


@dataclass(frozen=True)
class CISystem:
    """One CI account and how it behaves; ``intended_status`` is what the truth should say."""

    account: Account
    behaviour: str
    style: str
    intended_status: str
    projects: tuple[str, ...] | None = None  # None: every project
    jobs: tuple[JobSpec, ...] = ()
    url_pattern: str = "https://ci.example.org/logs/{shard}/{change}/{ps}/{pipeline}/{job}/{hex}/"
    votes: bool = True
    notice: bool = True
    tag: str | None = None
    coverage: float = 0.98  # chance to run on a patchset (or after a recheck)
    success: float = 0.95  # chance a run on a sound patchset succeeds
    latency: tuple[tuple[float, int, int], ...] = ((1.0, 10, 50),)  # (weight, min, max minutes)
    recheck_prob: float = 0.3  # chance a human rechecks after its failure
    targeted_prob: float = 0.3  # chance that recheck names this CI
    failure_words: tuple[str, ...] = ("FAILURE",)
    odd_results: tuple[str, ...] = ()  # rare verdicts: ERROR, MERGE_FAILED, ABORTED, UNKNOWN
    odd_prob: float = 0.0
    duplicate: bool = False  # posts every verdict twice
    crlf: bool = False
    silent_days: float | None = None  # stops this many days before the initial end
    reports: bool = True

    @property
    def id(self) -> int:
        return self.account.id

    @property
    def username(self) -> str:
        return self.account.username

    def watches(self, project: str) -> bool:
        return self.projects is None or project in self.projects


@dataclass
class Message:
    """A ChangeMessageInfo plus its ground truth."""

    id: str
    date: datetime
    text: str
    patchset: int
    kind: str  # one of MESSAGE_KINDS
    author_id: int | None = None  # None: Gerrit's own message
    tag: str | None = None
    result: str | None = None  # reports: the overall result word a correct parser must read
    result_class: str | None = None
    target_id: int | None = None  # rechecks naming one CI; None: applies to every CI
    pipeline: str | None = None
    jobs: tuple[Job, ...] = ()


@dataclass
class Patchset:
    number: int
    sha: str
    created: datetime
    uploader_id: int
    broken: bool = False  # the code really is broken: sound CI systems fail on it


@dataclass
class Change:
    number: int
    project: str
    branch: str
    change_id: str
    subject: str
    owner_id: int
    status: str = "NEW"
    patchsets: list[Patchset] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)

    @property
    def created(self) -> datetime:
        return self.patchsets[0].created

    @property
    def updated(self) -> datetime:
        return max([self.patchsets[-1].created, *(m.date for m in self.messages)])

    @property
    def current(self) -> Patchset:
        return self.patchsets[-1]

    def patchset(self, number: int) -> Patchset:
        return next(ps for ps in self.patchsets if ps.number == number)


# --- the cast -------------------------------------------------------------------------------


def _account(account_id, name, username, domain="ci.example.org") -> Account:
    return Account(account_id, name, username, f"{username}@{domain}")


def _ci(account_id, name, username, **kwargs) -> CISystem:
    return CISystem(account=_account(account_id, name, username), **kwargs)


_ZUUL_V3_FAILURES = ("FAILURE", "FAILURE", "FAILURE", "TIMED_OUT", "POST_FAILURE")

SYSTEMS: tuple[CISystem, ...] = (
    _ci(
        100,
        "Zuul",
        "zuul",
        behaviour="reference",
        style="zuul_v3",
        intended_status="healthy",
        jobs=(
            JobSpec("openstack-tox-pep8", minutes=(2, 6)),
            JobSpec("openstack-tox-py311", minutes=(5, 15)),
            JobSpec("tempest-full-py3", minutes=(45, 75)),
            JobSpec("{short}-grenade", voting=False, chance=0.5, minutes=(50, 90)),
        ),
        url_pattern="https://zuul.opendev.example/t/openstack/build/{hex}",
        notice=False,
        tag="autogenerated:zuul:check",
        coverage=1.0,
        success=0.95,
        latency=((1.0, 20, 80),),
        recheck_prob=0.6,
        targeted_prob=0.0,
        failure_words=_ZUUL_V3_FAILURES,
    ),
    _ci(
        101,
        "Acme Storage CI",
        "acme-ci",
        behaviour="healthy",
        style="zuul_v3",
        intended_status="healthy",
        projects=(NOVA, NEUTRON),
        jobs=(
            JobSpec("acme-tempest-full", minutes=(30, 50)),
            JobSpec("acme-nvme-tcp", minutes=(20, 40)),
            JobSpec("<img src=x onerror=alert(1)>", voting=False, minutes=(1, 3)),
            JobSpec("acme-grenade", voting=False, chance=0.6, style="next_line"),
            JobSpec(None, style="no_name", chance=0.2, minutes=(0, 1)),
        ),
        url_pattern="https://ci.acme.example/logs/{shard}/{change}/{ps}/{pipeline}/{job}/{hex}/",
        tag="autogenerated:zuul:check",
        coverage=0.99,
        success=0.97,
        latency=((1.0, 15, 55),),
        failure_words=_ZUUL_V3_FAILURES,
    ),
    _ci(
        102,
        "Turtle Block CI",
        "turtle-ci",
        behaviour="slow",
        style="zuul_v3",
        intended_status="degraded",
        projects=(NOVA, CINDER),
        jobs=(JobSpec("turtle-tempest-volume"), JobSpec("turtle-tempest-compute")),
        url_pattern="https://turtle.example.net/ci/{change}/{ps}/{job}/{hex}/",
        tag="autogenerated:zuul:check",
        coverage=0.97,
        success=0.94,
        latency=((0.9, 300, 600), (0.1, 90, 230)),
    ),
    _ci(
        103,
        "Flaky Networks CI",
        "flaky-ci",
        behaviour="flaky",
        style="zuul_v3",
        intended_status="degraded",
        projects=(NEUTRON, NOVA),
        jobs=(
            JobSpec("flaky-networking-ovs", minutes=(40, 80)),
            JobSpec("flaky-tempest-neutron", minutes=(60, 120)),
        ),
        url_pattern="https://logs.flaky-networks.example/{change}/{ps}/{job}/{hex}/",
        tag="autogenerated:zuul:check",
        coverage=0.93,
        success=0.62,
        latency=((0.55, 40, 200), (0.45, 270, 480)),
        recheck_prob=0.9,
        targeted_prob=0.8,
        failure_words=("FAILURE", "TIMED_OUT", "POST_FAILURE"),
    ),
    _ci(
        104,
        "Ghost Storage CI",
        "ghost-ci",
        behaviour="silent",
        style="zuul_v3",
        intended_status="silent",
        projects=(CINDER, SWIFT),
        jobs=(JobSpec("ghost-tempest-full"),),
        url_pattern="https://ghost.example.com/logs/{change}/{ps}/{hex}/",
        tag="autogenerated:zuul:check",
        success=0.94,
        latency=((1.0, 30, 90),),
        silent_days=3,
    ),
    _ci(
        105,
        "Doom CI",
        "doom-ci",
        behaviour="always_failing",
        style="zuul_v3",
        intended_status="failing",
        projects=(NOVA,),
        jobs=(
            JobSpec("doom-tempest-full", minutes=(30, 60)),
            JobSpec("doom-unit", minutes=(3, 9)),
        ),
        url_pattern="https://doom.example.org/{change}/{ps}/{job}/{hex}/",
        tag="autogenerated:zuul:check",
        coverage=0.97,
        success=0.0,
        latency=((1.0, 20, 70),),
        recheck_prob=0.05,
        targeted_prob=0.5,
        failure_words=("FAILURE", "POST_FAILURE", "TIMED_OUT"),
    ),
    _ci(
        106,
        "Partial CI",
        "partial-ci",
        behaviour="partial",
        style="zuul_v3",
        intended_status="degraded",
        projects=(NEUTRON, SWIFT),
        jobs=(
            JobSpec("partial-devstack", minutes=(15, 30)),
            JobSpec("partial-tempest", minutes=(30, 60)),
        ),
        url_pattern="https://partial.example.org/logs/{change}/{ps}/{job}/{hex}/",
        votes=False,
        notice=False,
        tag="autogenerated:zuul:check",
        coverage=0.45,
        success=0.93,
        latency=((0.7, 20, 90), (0.3, 250, 400)),
        odd_results=("ERROR",),
        odd_prob=0.05,
    ),
    _ci(
        107,
        "Ünïcode CI 🚀",
        "unicode-ci",
        behaviour="duplicate",
        style="zuul_v3",
        intended_status="healthy",
        projects=(SWIFT, CINDER),
        jobs=(JobSpec("tempest-ünïcode-日本"), JobSpec("unicode-unit", minutes=(2, 8))),
        url_pattern="https://ci.unicode.example/{change}/{ps}/{job}/{hex}/",
        tag="autogenerated:zuul:check",
        success=0.96,
        latency=((1.0, 15, 60),),
        duplicate=True,
    ),
    _ci(
        108,
        "Legacy Jenkins CI",
        "legacy-ci",
        behaviour="legacy",
        style="zuul_v2",
        intended_status="healthy",
        projects=(NOVA, CINDER),
        jobs=(
            JobSpec("gate-{short}-pep8", minutes=(3, 8)),
            JobSpec("gate-{short}-python27", minutes=(10, 25)),
            JobSpec("legacy-dsvm-tempest", style="next_line", minutes=(40, 70)),
            JobSpec("noop", style="no_url", chance=0.3, minutes=(0, 0)),
        ),
        url_pattern="http://logs.legacy.example/{shard}/{change}/{ps}/check/{job}/{hex}/",
        success=0.93,
        latency=((1.0, 30, 120),),
        odd_results=("MERGE_FAILED",),
        odd_prob=0.03,
    ),
    _ci(
        109,
        "Гермес Jenkins CI",
        "hermes-ci",
        behaviour="jenkins",
        style="jenkins_trigger",
        intended_status="healthy",
        projects=(CINDER, NEUTRON),
        jobs=(JobSpec("hermes-tempest"), JobSpec("hermes-unit", minutes=(5, 10))),
        url_pattern="https://jenkins.hermes.example/job/{job}/{build}/",
        success=0.92,
        latency=((1.0, 20, 80),),
        failure_words=("FAILURE", "UNSTABLE"),
        odd_results=("ABORTED", "UNKNOWN"),
        odd_prob=0.06,
        crlf=True,
    ),
    _ci(
        110,
        "Cinder ISER CI",
        "cinder-iser-ci",
        behaviour="prose",
        style="prose",
        intended_status="healthy",
        projects=(CINDER,),
        jobs=(JobSpec("Cinder-ISER-ISCSI", minutes=(30, 50)),),
        url_pattern="http://iser-ci.example.com/logs/{change}/{ps}/",
        votes=False,
        notice=False,
        success=0.94,
        latency=((1.0, 35, 150),),
        odd_results=("ERROR", "UNKNOWN"),
        odd_prob=0.06,
    ),
    _ci(
        111,
        "Quiet CI",
        "quiet-ci",
        behaviour="never",
        style="zuul_v3",
        intended_status="unknown",
        projects=(SWIFT,),
        reports=False,
    ),
)

HUMANS: tuple[Account, ...] = tuple(
    _account(1000 + i, name, username, "example.org")
    for i, (name, username) in enumerate(
        (
            ("Alice Smith", "asmith"),
            ("Bob Jones", "bjones"),
            ("José Müller", "jmuller"),
            ("李明", "liming"),
            ("Ольга Петрова", "opetrova"),
            ("Priya Patel", "ppatel"),
            ("Kenji Satō 佐藤", "ksato"),
            ("Fatima Zahra ✨", "fzahra"),
            ("Sam O'Brien", "sobrien"),
            ("Core Reviewer", "core"),
        )
    )
)

SUBJECTS = (
    "Fix race in scheduler retry logic",
    "Add unit tests for volume attach",
    "Remove deprecated config options",
    "Fix 🐛 in quota handling",
    "Обновить документацию по установке",
    "修复迁移中的错误",
    "Bump hacking to 6.1",
    "Refactor RPC client setup",
    "Handle None in port binding",
    "Support NVMe-oF multipath",
    "Make object expirer faster",
    "Drop Python 3.8 support",
)
REVIEWS = (
    ("Code-Review+1", "Looks good"),
    ("Code-Review+1", "LGTM 👍"),
    ("Code-Review-1", "(2 comments)\n\nPlease add a unit test."),
    ("Code-Review+2", "Nice cleanup."),
    ("", "Thanks for the fix! Почти готово."),
    ("", "Please don't recheck blindly, look at the logs first."),
    ("Code-Review-1", "このテストは不安定です。"),
    ("", "(1 comment)"),
)


# --- the generator ----------------------------------------------------------------------------


def _utcnow_minute() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)


class Scenario:
    """The world; ``generate()`` fills it, the other public methods let tests build one by hand.

    ``lock`` guards every read and write (the HTTP server reads from other threads).
    """

    def __init__(
        self,
        end: datetime,
        *,
        seed: int = 0,
        systems=SYSTEMS,
        humans=HUMANS,
        changes_per_day: float = 12,
        start: datetime | None = None,
    ):
        self.seed = seed
        self.end = end.replace(microsecond=0)
        self.start = start or self.end
        self.systems: tuple[CISystem, ...] = tuple(systems)
        self.humans: tuple[Account, ...] = tuple(humans)
        self.accounts = {a.id: a for a in (*self.humans, *(s.account for s in self.systems))}
        self.group = {
            "name": CI_GROUP_NAME,
            "id": CI_GROUP_ID,
            "uuid": CI_GROUP_UUID,
            "members": [s.id for s in self.systems],
        }
        self.changes: list[Change] = []
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self._by_number: dict[int, Change] = {}
        self._changes_per_day = changes_per_day
        self._initial_end = self.end
        self._queue: list = []
        self._seq = 0
        self._plans: dict[int, int] = {}  # change number -> number of patchsets it will get
        self._pending_rechecks: set[tuple[int, int]] = set()
        self._recheck_counts: Counter = Counter()
        self._covered: dict[tuple[int, int, int], bool] = {}
        self._added: Counter = Counter()  # (kind, author id) -> messages, for advance()'s summary
        # Called as listener(kind, change, item) for every new message ('message') and
        # patchset ('patchset'): the SSH stream-events server (radar_demo/ssh.py) follows.
        self.listeners: list = []

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def generate(
        cls,
        seed: int = 42,
        days: float = 12,
        end: datetime | None = None,
        changes_per_day: float = 12,
    ) -> Scenario:
        """A world with ``days`` of activity up to ``end`` (default: now, to the minute)."""
        end = (end or _utcnow_minute()).replace(second=0, microsecond=0)
        scenario = cls(
            end, seed=seed, changes_per_day=changes_per_day, start=end - timedelta(days=days)
        )
        with scenario.lock:
            scenario._schedule(scenario.start + scenario._arrival_gap(), "arrival")
            scenario._run_until(scenario.end)
        return scenario

    def advance(self, hours: float) -> dict:
        """Move ``end`` forward and let the world live until then; returns what was added."""
        if hours < 0:
            raise ValueError("time only moves forward")
        with self.lock:
            changes, patchsets = len(self.changes), self.patchset_count()
            self._added.clear()
            self.end = self.end + timedelta(hours=hours)
            self._run_until(self.end)
            by_system: dict[int, dict[str, int]] = defaultdict(dict)
            for (kind, author), count in self._added.items():
                if author in self.system_ids():
                    by_system[author][kind] = count
            by_kind = Counter()
            for (kind, _), count in self._added.items():
                by_kind[kind] += count
            return {
                "end": self.end,
                "changes": len(self.changes) - changes,
                "patchsets": self.patchset_count() - patchsets,
                "messages": dict(by_kind),
                "by_system": dict(by_system),
            }

    def add_change(
        self, project: str, branch: str, owner_id: int, created: datetime, subject: str = "A change"
    ) -> Change:
        number = 880000 + len(self.changes) + 1
        change = Change(number, project, branch, "I" + self._hex(40), subject, owner_id)
        self.changes.append(change)
        self._by_number[number] = change
        self.add_patchset(change, created)
        return change

    def add_patchset(self, change: Change, created: datetime, broken: bool = False) -> Patchset:
        ps = Patchset(len(change.patchsets) + 1, self._hex(40), created, change.owner_id, broken)
        change.patchsets.append(ps)
        for listener in self.listeners:
            listener("patchset", change, ps)
        return ps

    def post(
        self,
        change: Change,
        date: datetime,
        kind: str,
        text: str,
        patchset: int,
        author_id: int | None = None,
        **truth,
    ) -> Message:
        """Append a message; ``truth`` holds Message's ground-truth fields."""
        if kind not in MESSAGE_KINDS:
            raise ValueError(f"unknown message kind {kind!r}")
        used = {m.id for m in change.messages}
        message_id = self._hex(12)
        while message_id in used:
            message_id = self._hex(12)
        if kind == "report" and truth.get("result"):
            truth.setdefault("result_class", report_class(truth["result"]))
        message = Message(message_id, date, text, patchset, kind, author_id, **truth)
        change.messages.append(message)
        self._added[(kind, author_id)] += 1
        for listener in self.listeners:
            listener("message", change, message)
        return message

    # -- look-ups ----------------------------------------------------------------------------

    def change(self, number: int) -> Change | None:
        return self._by_number.get(number)

    def system(self, key: int | str) -> CISystem | None:
        return next((s for s in self.systems if key in (s.id, s.username)), None)

    def system_ids(self) -> set[int]:
        return {s.id for s in self.systems}

    def account(self, key: int | str) -> Account | None:
        if isinstance(key, int) or str(key).isdigit():
            return self.accounts.get(int(key))
        return next((a for a in self.accounts.values() if key in (a.username, a.email)), None)

    def patchset_count(self) -> int:
        return sum(len(c.patchsets) for c in self.changes)

    def touch(self, change: Change, text: str = "Friendly ping 🙏") -> Message:
        """A human comment that makes ``change`` the most recently updated one."""
        newest = max((c.updated for c in self.changes), default=self.end)
        date = max(self.end, newest + timedelta(seconds=1))
        reviewer = self._human(not_id=change.owner_id)
        psn = change.current.number
        return self.post(change, date, "human", render.review(psn, "", text), psn, reviewer.id)

    # -- the event loop ----------------------------------------------------------------------

    def _schedule(self, when: datetime, event: str, *args) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (when.replace(microsecond=0), self._seq, event, args))

    def _run_until(self, until: datetime) -> None:
        while self._queue and self._queue[0][0] <= until:
            when, _, event, args = heapq.heappop(self._queue)
            getattr(self, f"_on_{event}")(when, *args)

    # -- random helpers ----------------------------------------------------------------------

    def _hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"

    def _minutes(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=self.rng.randint(int(low * 60), int(high * 60)))

    def _arrival_gap(self) -> timedelta:
        return timedelta(seconds=int(self.rng.expovariate(self._changes_per_day / 86400)) + 1)

    def _human(self, not_id: int | None = None) -> Account:
        return self.rng.choice([h for h in self.humans if h.id != not_id])

    def _active(self, system: CISystem, when: datetime) -> bool:
        if system.silent_days is None:
            return True
        return when <= self._initial_end - timedelta(days=system.silent_days)

    # -- events: changes and humans ------------------------------------------------------------

    def _on_arrival(self, when):
        rng = self.rng
        project = rng.choices(list(PROJECT_WEIGHTS), weights=list(PROJECT_WEIGHTS.values()))[0]
        branch = BRANCHES[0] if rng.random() < 0.85 else BRANCHES[1]
        owner = self._human()
        change = self.add_change(project, branch, owner.id, when, rng.choice(SUBJECTS))
        change.current.broken = rng.random() < 0.18
        self._plans[change.number] = rng.choices((1, 2, 3, 4), weights=(35, 30, 20, 15))[0]
        self._uploaded(when, change, change.current)
        self._schedule(when + self._arrival_gap(), "arrival")

    def _on_upload(self, when, change):
        if change.status == "NEW":
            self._uploaded(when, change, self.add_patchset(change, when, self.rng.random() < 0.08))

    def _uploaded(self, when, change, ps):
        """Gerrit announces the patchset; CI systems and reviewers react."""
        rng = self.rng
        self.post(
            change,
            when,
            "gerrit",
            render.uploaded(ps.number),
            ps.number,
            tag="autogenerated:gerrit:newPatchSet",
        )
        for system in self.systems:
            self._trigger(when, system, change, ps.number)
        if rng.random() < 0.6:
            self._schedule(when + self._minutes(60, 20 * 60), "review", change, ps.number)
        if ps.number < self._plans.get(change.number, 1):
            # Some patchsets are superseded within the report deadline, most after hours or days.
            gap = self._minutes(15, 210) if rng.random() < 0.35 else self._minutes(8 * 60, 72 * 60)
            self._schedule(when + gap, "upload", change)
        else:
            self._schedule(when + self._minutes(3 * 60, 48 * 60), "finish", change)

    def _on_review(self, when, change, psn):
        if self.rng.random() < 0.05:  # a recheck for no visible reason
            self._request_recheck(when, change, psn, None)
            return
        labels, comment = self.rng.choice(REVIEWS)
        reviewer = self._human(not_id=change.owner_id)
        self.post(change, when, "human", render.review(psn, labels, comment), psn, reviewer.id)

    def _on_recheck(self, when, change, psn, target_id):
        rng = self.rng
        self._pending_rechecks.discard((change.number, psn))
        self._recheck_counts[(change.number, psn)] += 1
        author = self.accounts[change.owner_id] if rng.random() < 0.75 else self._human()
        target = self.accounts[target_id].username if target_id else ""
        word = rng.choices(("recheck", "Recheck", "RECHECK"), weights=(90, 7, 3))[0]
        self.post(
            change,
            when,
            "recheck",
            render.recheck(psn, word, target),
            psn,
            author.id,
            target_id=target_id,
        )
        for system in self.systems:
            if target_id in (None, system.id):
                self._trigger(when, system, change, psn)

    def _request_recheck(self, when, change, psn, target_id):
        key = (change.number, psn)
        if (
            change.status != "NEW"
            or change.current.number != psn
            or key in self._pending_rechecks
            or self._recheck_counts[key] >= 3
        ):
            return
        self._pending_rechecks.add(key)
        self._schedule(when + self._minutes(5, 180), "recheck", change, psn, target_id)

    def _on_finish(self, when, change):
        rng = self.rng
        if change.status != "NEW":
            return
        roll = rng.random()
        if roll < 0.12:
            change.status = "ABANDONED"
            self.post(
                change,
                when,
                "human",
                "Abandoned\n\nNot needed any more.",
                change.current.number,
                change.owner_id,
                tag="autogenerated:gerrit:abandon",
            )
        elif roll < 0.7 and self._reference_result(change) == "SUCCESS":
            psn = change.current.number
            core = self.humans[-1]  # the core reviewer, unless it is their own change
            if core.id == change.owner_id:
                core = self._human(not_id=change.owner_id)
            self.post(
                change,
                when,
                "human",
                render.review(psn, "Code-Review+2 Workflow+1", ""),
                psn,
                core.id,
            )
            reference = self._reference()
            if reference:
                self._schedule(
                    when + self._minutes(40, 120), "verdict", reference, change, psn, "gate"
                )

    def _on_merged(self, when, change):
        if change.status == "NEW":
            change.status = "MERGED"
            self.post(
                change,
                when,
                "gerrit",
                "Change has been successfully merged by Zuul",
                change.current.number,
                tag="autogenerated:gerrit:merged",
            )

    def _reference(self) -> CISystem | None:
        return next((s for s in self.systems if s.behaviour == "reference"), None)

    def _reference_result(self, change) -> str | None:
        reference, psn = self._reference(), change.current.number
        for message in reversed(change.messages):
            if reference and message.author_id == reference.id and message.patchset == psn:
                if message.kind == "report":
                    return message.result
        return None

    # -- events: CI systems --------------------------------------------------------------------

    def _trigger(self, when, system: CISystem, change, psn):
        """A CI sees a new patchset or a recheck: it may start, then reports later."""
        if not system.reports or not system.watches(change.project):
            return
        # Whether a CI covers a patchset is decided once: a recheck does not change it.
        key = (system.id, change.number, psn)
        if key not in self._covered:
            self._covered[key] = self.rng.random() < system.coverage
        if not self._covered[key]:
            return
        if system.notice:
            self._schedule(when + self._minutes(0.5, 5), "notice", system, change, psn)
        weights = [w for w, _, _ in system.latency]
        _, low, high = self.rng.choices(system.latency, weights=weights)[0]
        self._schedule(when + self._minutes(low, high), "verdict", system, change, psn, "check")

    def _on_notice(self, when, system, change, psn):
        if not self._active(system, when):
            return
        if system.style == "jenkins_trigger":
            text = render.build_started(psn, self._url(system, change, psn, system.jobs[0].name))
        else:
            text = render.starting(psn)
        if system.crlf:
            text = render.crlf(text)
        self.post(change, when, "notice", text, psn, system.id, tag=system.tag)

    def _on_verdict(self, when, system, change, psn, pipeline):
        if not self._active(system, when):
            return
        result = self._result(system, change.patchset(psn))
        jobs = self._jobs(system, change, psn, result, pipeline)
        text = self._render(system, change, psn, result, jobs, pipeline)
        tag = system.tag and system.tag.replace(":check", f":{pipeline}")
        truth = {"tag": tag, "result": result, "pipeline": pipeline, "jobs": jobs}
        self.post(change, when, "report", text, psn, system.id, **truth)
        if system.duplicate:
            self._schedule(
                when + timedelta(seconds=self.rng.randint(5, 50)),
                "repost",
                change,
                text,
                psn,
                system.id,
                truth,
            )
        if pipeline == "gate":
            if result == "SUCCESS":
                self._schedule(when + timedelta(seconds=self.rng.randint(3, 30)), "merged", change)
        elif result != "SUCCESS" and self.rng.random() < system.recheck_prob:
            target = system.id if self.rng.random() < system.targeted_prob else None
            self._request_recheck(when, change, psn, target)

    def _on_repost(self, when, change, text, psn, author_id, truth):
        self.post(change, when, "report", text, psn, author_id, **truth)

    def _result(self, system: CISystem, ps: Patchset) -> str:
        rng = self.rng
        if system.odd_results and rng.random() < system.odd_prob:
            return rng.choice(system.odd_results)
        chance = system.success * (0.1 if ps.broken else 1.0)
        return "SUCCESS" if rng.random() < chance else "FAILURE"

    def _jobs(self, system, change, psn, result, pipeline) -> tuple[Job, ...]:
        """Job results consistent with ``result`` under DESIGN.md section 3's rules."""
        rng = self.rng
        if result in ("UNKNOWN", "MERGE_FAILED"):
            return ()
        specs = [s for s in system.jobs if s.chance >= 1 or rng.random() < s.chance]
        voting = [i for i, s in enumerate(specs) if s.voting]
        words = ["SUCCESS" if s.voting else _non_voting_word(rng) for s in specs]
        if result == "ABORTED":
            words = ["ABORTED"] * len(specs)
        elif result == "FAILURE" and voting:
            real = [i for i in voting if specs[i].style != "no_url"] or voting  # not the noop
            failed = rng.sample(real, rng.randint(1, len(real)))
            for i in failed:
                words[i] = rng.choice(system.failure_words)
            others = [i for i in voting if i not in failed]
            if others and rng.random() < 0.3:  # failures often come with infrastructure errors
                words[rng.choice(others)] = rng.choice(("NODE_FAILURE", "RETRY_LIMIT", "ERROR"))
        elif result == "ERROR" and voting:
            choices = ("NODE_FAILURE", "RETRY_LIMIT")
            if system.style != "prose":
                choices += ("ERROR",)
            words[rng.choice(voting)] = rng.choice(choices)
        jobs = []
        for spec, word in zip(specs, words, strict=True):
            name = spec.name.format(short=change.project.split("/")[-1]) if spec.name else None
            url = self._url(system, change, psn, name, pipeline)
            note = None
            if word == "ERROR":
                note = rng.choice(("A freeform string", "Unable to freeze job graph"))
            seconds = rng.randint(spec.minutes[0] * 60, spec.minutes[1] * 60 + 59)
            if spec.style == "no_url":
                url, seconds = None, None
            jobs.append(Job(name, url, word, spec.voting, seconds, note, spec.style))
        return tuple(jobs)

    def _url(self, system, change, psn, job_name: str | None, pipeline="check") -> str:
        job = re.sub(r"[^A-Za-z0-9._-]+", "-", job_name or "tox").strip("-") or "job"
        return system.url_pattern.format(
            shard=f"{change.number % 100:02d}",
            change=change.number,
            ps=psn,
            pipeline=pipeline,
            job=job,
            hex=self._hex(12),
            build=self.rng.randint(100, 9999),
        )

    def _render(self, system, change, psn, result, jobs, pipeline) -> str:
        if result == "UNKNOWN":
            text = render.unknown(psn, self._url(system, change, psn, "logs"))
        else:
            vote = None
            if system.votes and result in ("SUCCESS", "FAILURE"):
                vote = (1 if result == "SUCCESS" else -1) * (2 if pipeline == "gate" else 1)
            kwargs = {"vote": vote}
            if system.style == "zuul_v3":
                kwargs["pipeline"] = pipeline
                if system.behaviour == "reference":
                    kwargs["buildset_url"] = (
                        f"https://zuul.opendev.example/t/openstack/buildset/{self._hex(12)}"
                    )
            elif system.style == "zuul_v2":
                kwargs["bullet"] = "*" if self.rng.random() < 0.3 else "-"
            text = render.RENDERERS[system.style](psn, result, jobs, **kwargs)
        return render.crlf(text) if system.crlf else text


def _non_voting_word(rng: random.Random) -> str:
    return rng.choices(("SUCCESS", "FAILURE", "SKIPPED"), weights=(75, 20, 5))[0]
