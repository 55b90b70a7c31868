"""Parse the comments CI systems post on Gerrit, and the rechecks humans post.

Pure functions, standard library only. ``parse_ci_message`` and ``parse_recheck`` never raise:
a CI's message is stored whatever it says, so the worst outcome of odd text is result UNKNOWN.

Choices where DESIGN.md section 3 leaves room:

* Text is read line by line with whitespace collapsed; every regex is anchored or has no nested
  quantifiers, so pathological input stays linear.
* The Verified vote is read only from the first ``Patch Set N:`` line, where Gerrit writes votes;
  ``-Verified`` (a removed vote) and ``Verified+0`` give no vote. A vote or a header makes the
  message a report even when it also reads like a start notice.
* Job lines are ``[bullet] [name] [url] : RESULT [free text] [in duration] [(non-voting)]``.
  Without a bullet (``-``, ``*``, ``•``) a line is a job only when it holds a URL (Jenkins Gerrit
  Trigger's ``<url> : <RESULT>``) or reads ``name : KNOWN_WORD`` with a space before the colon,
  so ``Status: FAILURE`` stays prose. A job without a written name gets the name Jenkins puts in
  its URL (``.../job/foo/12/`` -> ``foo``, folders joined with ``/``), else None.
* Zuul writes the job name twice (``- noop noop : SUCCESS``) when a build has no URL: one is kept.
* A result word is any known word in any case (stored upper-case) or any all-caps word (kept
  verbatim, class error), so a message cut inside a word (``: SUCC``) yields job result SUCC.
* Prose jobs (``Name SUCCESS in 3m``) are looked for only when no job line was found, and only
  with known result words, so ordinary sentences do not become jobs.
* Headers ``canceled``/``cancelled`` (Zuul's dequeue message) count as ABORTED, and Zuul v2's
  "unable to be automatically merged" as MERGE_FAILED.
* Overall result from jobs follows DESIGN.md literally: a voting SKIPPED job next to voting
  SUCCESS jobs makes ERROR; only non-voting jobs make UNKNOWN.
* Durations that do not parse, or would not fit a 32-bit column, are None.
* A status emoji or symbol before the job name (``✅ name : SUCCESS``, ``❌ ...``) is a bullet;
  the symbol says nothing the result word does not. Such a job's URL may stand alone on the next
  line, in parentheses or angle brackets (``(https://...)``); a parenthesised URL line after any
  job line without URL is that job's URL too.
* ``Gate pipeline build failed.`` names the pipeline before the word build; the name is
  lower-cased there (the capital belongs to the sentence, Zuul's pipeline names are lower-case).
* ``parse_recheck(text, known)``: the word after ``recheck`` names a CI only when it is one of
  ``known`` (usernames and recheck keywords of known CI systems, any case); otherwise it is the
  start of a reason (``recheck timed out``, ``recheck tempest-full : flaky``) and the recheck
  names no CI. Without ``known`` any word that is not a filler word is taken as the target.
"""

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

# Result words by class, in DESIGN.md's order; any other word is class error.
_WORDS_BY_CLASS = {
    "success": "SUCCESS",
    "failure": "FAILURE UNSTABLE TIMED_OUT POST_FAILURE",
    "error": "ERROR NODE_FAILURE RETRY_LIMIT NOT_REGISTERED DISK_FULL EXCEPTION LOST DISCONNECT"
    " CONFIG_ERROR MERGER_FAILURE MERGE_CONFLICT MERGE_FAILURE NO_JOBS NO_HANDLE",
    "skipped": "SKIPPED CANCELED ABORTED NOT_BUILT RETRY",
}
RESULT_CLASSES: dict[str, str] = {
    word: cls for cls, words in _WORDS_BY_CLASS.items() for word in words.split()
}

UNKNOWN = "UNKNOWN"
MAX_JOBS = 1000  # jobs kept per report (real reports hold ~100); the rest are only counted
_MAX_DURATION_S = 2**31 - 1


def result_class(word: str) -> str:
    """Class of a job or report result word; unlisted words are errors, never dropped."""
    word = word.strip().upper()
    if word == UNKNOWN:
        return "unknown"
    return RESULT_CLASSES.get(word, "error")


@dataclass(frozen=True)
class JobResult:
    name: str | None
    url: str | None
    result: str
    result_class: str
    duration_s: int | None
    voting: bool
    detail: str | None


@dataclass(frozen=True)
class ParsedReport:
    kind: str  # 'report' (a verdict) or 'notice' (start notices and other noise)
    patchset: int | None
    vote: int | None
    result: str
    result_class: str
    pipeline: str | None
    jobs: tuple[JobResult, ...]
    jobs_dropped: int = 0  # job lines past MAX_JOBS: counted, and in the overall result, not kept


# -- public entry points -------------------------------------------------------------------------


def parse_ci_message(text: str) -> ParsedReport:
    """Parse a message written by a CI account."""
    try:
        return _parse(text if isinstance(text, str) else "")
    except Exception:  # a parser bug must not lose the message: store it as UNKNOWN
        return ParsedReport("report", None, None, UNKNOWN, "unknown", None, ())


def parse_recheck(text: str, known: Iterable[str] | None = None) -> tuple[bool, str | None]:
    """Is a non-CI account's message a recheck, and which CI does it name (or None for all)?

    ``known``: the names a recheck may target (usernames and recheck keywords of CI systems);
    a word after ``recheck`` that is not one of them names no CI."""
    try:
        return _parse_recheck(text if isinstance(text, str) else "", known)
    except Exception:  # same contract as parse_ci_message
        return False, None


# -- message layout ------------------------------------------------------------------------------

_PATCHSET_RE = re.compile(r"patch ?set ([0-9]{1,9}) ?:(.*)", re.IGNORECASE)
_UPLOADED_RE = re.compile(r"uploaded patch ?set ([0-9]{1,9})\b", re.IGNORECASE)
_COMMENTS_RE = re.compile(r"\([0-9]+ (?:inline )?comments?\)", re.IGNORECASE)


def _lines(text: str) -> list[str]:
    """Non-blank lines with whitespace collapsed; handles CRLF, CR and a BOM."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    collapsed = [" ".join(line.split()) for line in text.lstrip("\ufeff").split("\n")]
    return [line for line in collapsed if line]


def _split_patchset(lines: list[str]) -> tuple[int | None, str, list[str]]:
    """(patchset, rest of the 'Patch Set N:' line, lines after it) of a Gerrit review message."""
    if not lines:
        return None, "", lines
    patchset, rest, is_patchset_line = _first_line(lines[0])
    return patchset, rest, lines[1:] if is_patchset_line else lines


# CI comments follow templates, so the lines read below (all but job lines) repeat: each
# distinct one is read once. Bounded, and pure functions of the line.
_LINE_CACHE = 256


@functools.lru_cache(maxsize=_LINE_CACHE)
def _first_line(line: str) -> tuple[int | None, str, bool]:
    match = _PATCHSET_RE.fullmatch(line)
    if match:
        return int(match.group(1)), match.group(2).strip(), True
    uploaded = _UPLOADED_RE.match(line)
    return (int(uploaded.group(1)) if uploaded else None), "", False


# -- votes, headers, notices ---------------------------------------------------------------------

_VOTE_RE = re.compile(r"(?<![\w-])(-?)Verified([+-][0-9]{1,2})?(?![\w-])")
_MERGE_FAILED_RE = re.compile(
    r"\bmerge failed\b|\bunable to be automatically merged\b", re.IGNORECASE
)
_HEADER_RE = re.compile(
    r"\b(?:build|job|test|run|check|ci)s? "
    r"(succeeded|successful|failed|unstable|aborted|canceled|cancelled)\b",
    re.IGNORECASE,
)
_HEADER_RESULTS = {
    "succeeded": "SUCCESS",
    "successful": "SUCCESS",
    "failed": "FAILURE",
    "unstable": "FAILURE",
    "aborted": "ABORTED",
    "canceled": "ABORTED",
    "cancelled": "ABORTED",
}
_PIPELINE_RE = re.compile(r"\(([\w.:/-]+) pipeline\)", re.IGNORECASE)
# 'Gate pipeline build failed.': the pipeline named before the header word.
_PIPELINE_FIRST_RE = re.compile(
    r"([\w.:/-]+) pipeline (?:build|job|test|run|check|ci)s? \w", re.IGNORECASE
)
_STARTING_RE = re.compile(r"start(?:ing|ed) ([\w.:/-]+) jobs\b", re.IGNORECASE)
_NOTICE_RES = (
    re.compile(r"start(?:ing|ed)\b", re.IGNORECASE),  # Zuul: 'Starting check jobs.'
    re.compile(r"build (?:started|queued|scheduled)\b", re.IGNORECASE),  # Gerrit Trigger
    # Gerrit's own texts, in case a CI account uploads, rebases or abandons.
    re.compile(
        r"(?:uploaded patch ?set|commit message was updated|change has been successfully"
        r"|abandoned|restored|topic (?:set|changed|removed)|removed (?:reviewer|cc|vote)"
        r"|set (?:work in progress|ready for review)|patch ?set [0-9]+ was rebased"
        r"|created a revert of this change)\b",
        re.IGNORECASE,
    ),
)
_LABEL_VOTE_RE = re.compile(r"-[A-Za-z][\w-]*|[A-Za-z][\w-]*[+-][0-9]{1,2}")


@functools.lru_cache(maxsize=_LINE_CACHE)
def _vote(patchset_rest: str) -> int | None:
    for match in _VOTE_RE.finditer(patchset_rest):
        sign, value = match.groups()
        if sign or not value:
            return None  # '-Verified' removes the vote; a bare label says nothing
        number = int(value)
        return number if number in (-2, -1, 1, 2) else None
    return None


def _header(lines: list[str]) -> str | None:
    """Overall result announced by the first header sentence ('Build failed.', ...)."""
    for line in lines:
        result = _line_header(line)
        if result is not None:
            return result
    return None


@functools.lru_cache(maxsize=_LINE_CACHE)
def _line_header(line: str) -> str | None:
    if _MERGE_FAILED_RE.search(line):
        return "MERGE_FAILED"
    match = _HEADER_RE.search(line)
    return _HEADER_RESULTS[match.group(1).lower()] if match else None


def _pipeline(lines: list[str]) -> str | None:
    for line in lines:
        pipeline = _line_pipeline(line)
        if pipeline is not None:
            return pipeline
    return None


@functools.lru_cache(maxsize=_LINE_CACHE)
def _line_pipeline(line: str) -> str | None:
    match = _PIPELINE_RE.search(line) or _STARTING_RE.match(line)
    if match:
        return match.group(1)
    match = _PIPELINE_FIRST_RE.match(line)
    return match.group(1).lower() if match else None


def _is_vote_only(text: str) -> bool:
    return all(_LABEL_VOTE_RE.fullmatch(token) for token in text.split())


def _is_notice(patchset_rest: str, lines: list[str]) -> bool:
    if not lines and _is_vote_only(patchset_rest):
        return True  # a bare 'Patch Set N:' line (maybe with other labels) says nothing
    return _notice_line(patchset_rest) or bool(lines) and _notice_line(lines[0])


@functools.lru_cache(maxsize=_LINE_CACHE)
def _notice_line(text: str) -> bool:
    return any(regex.match(text) for regex in _NOTICE_RES)


# -- job lines -----------------------------------------------------------------------------------

_BULLET_RE = re.compile(r"[-*•] ")
# Characters of a status emoji or symbol (✅ ❌ ✔ ⚠️ 🟢 ...): symbols, variation selectors, ZWJ.
_SYMBOL_CATEGORIES = frozenset({"So", "Sk", "Mn", "Me", "Cf"})
_URL_LINE_RE = re.compile(r"\(\s?<?([A-Za-z][A-Za-z0-9+.-]*://[^\s()<>]+)>?\s?\)|<([^\s<>]+)>|(\S+)")
_SEPARATOR_RE = re.compile(r":(?= |$)")  # the ' : ' before a result; a URL's '://' is not one
_URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S")
_WORD_RE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)(.*)")
_ALL_CAPS_RE = re.compile(r"[A-Z][A-Z0-9_]+")
_NON_VOTING_RE = re.compile(r"\(non-?voting\)", re.IGNORECASE)
_JENKINS_JOB_RE = re.compile(r"/job/([^/?#]+)")


def _parse_jobs(lines: list[str]) -> tuple[list[JobResult], int | None]:
    """Job lines of a message, and the index of the first one (None when there is none)."""
    jobs: list[JobResult] = []
    first = None
    index = 0
    while index < len(lines):
        line = lines[index]
        separated = ": " in line or line[-1] == ":"
        fast = _fast_job_line(line) if separated else None
        if fast is not None:  # the commonest line, in one step
            jobs.append(fast)
            first = index if first is None else first
            index += 1
            continue
        if not separated and not _BULLET_RE.match(line) and not _is_symbol(line[0]):
            index += 1  # no ' : ' before a result, nor a bulleted line the next one continues
            continue
        job, used = _parse_job_at(lines, index)
        if job is not None:
            jobs.append(job)
            first = index if first is None else first
        index += used
    return jobs, first


def _symbol_bullet(line: str) -> tuple[str, bool]:
    """``line`` with a leading status emoji or symbol written as a '- ' bullet, and whether it
    had one ('✅ name : SUCCESS' and '- ✅ name : SUCCESS' both give '- name : SUCCESS')."""
    bulleted = _BULLET_RE.match(line) is not None
    start = 2 if bulleted else 0
    end = start
    while end < len(line) and _is_symbol(line[end]):
        end += 1
    if end == start or line[end : end + 1] != " ":
        return line, False
    return f"- {line[end + 1 :]}", True


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char) in _SYMBOL_CATEGORIES


def _url_line(line: str, symbol: bool) -> str | None:
    """The URL a line holds alone: '(url)' or '<url>' after any job, a bare one after a job
    written with a status symbol."""
    match = _URL_LINE_RE.fullmatch(line)
    if match is None:
        return None
    bracketed, angled, bare = match.groups()
    url = bracketed or angled or (bare if symbol else None)
    return url if url and _URL_RE.match(url) else None


def _parse_job_at(lines: list[str], index: int) -> tuple[JobResult | None, int]:
    """A job from one line, or from a bulleted line continued on the next (URL, result...)."""
    line, symbol = _symbol_bullet(lines[index])
    job = _parse_job_line(line)
    if job is not None and job.url is None and index + 1 < len(lines):
        url = _url_line(lines[index + 1], symbol)
        if url is not None:
            name = job.name if job.name is not None else _name_from_url(url)
            return dataclasses.replace(job, url=url, name=name), 2
    if job is not None or not _BULLET_RE.match(line) or index + 1 >= len(lines):
        return job, 1
    following = lines[index + 1]
    if _BULLET_RE.match(following) or _symbol_bullet(following)[1]:
        return None, 1
    if line.endswith(":") and _SEPARATOR_RE.search(following):
        line = line[:-1]  # '- name :' then 'url : SUCCESS'
    job = _parse_job_line(f"{line} {following}")
    return (job, 2) if job is not None else (None, 1)


# The commonest line, Zuul's '- name url : RESULT in 3m 12s [(non-voting)]', read in one step;
# it gives what the general reading below gives (tested), only faster.
_FAST_JOB_RE = re.compile(
    r"[-*•] ([^\s:<>]+) ([A-Za-z][A-Za-z0-9+.-]*://[^\s<>]*[^\s<>:]) : ([A-Z][A-Z_]*)"
    r" in (?:([0-9]{1,4})h )?(?:([0-9]{1,2})m )?([0-9]{1,2})s( \(non-voting\))?"
)


def _fast_job_line(line: str) -> JobResult | None:
    match = _FAST_JOB_RE.fullmatch(line)
    if match is None:
        return None
    name, url, result, hours, minutes, seconds, non_voting = match.groups()
    cls = RESULT_CLASSES.get(result)
    if cls is None or (not name[0].isalnum() and _is_symbol(name[0])):
        return None  # an unlisted word, or a status symbol: the general reading
    # At most 9999h 99m 99s: always a valid duration, as _parse_duration would read it.
    duration = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds)
    return JobResult(name, url, result, cls, duration, not non_voting, None)


def _parse_job_line(line: str) -> JobResult | None:
    fast = _fast_job_line(line)
    if fast is not None:
        return fast
    return _general_job_line(line)


def _general_job_line(line: str) -> JobResult | None:
    bulleted = _BULLET_RE.match(line) is not None
    body = line[2:] if bulleted else line
    separator = _SEPARATOR_RE.search(body)
    if separator is None:
        return None
    name, url = _name_and_url(body[: separator.start()])
    parsed = _result_and_tail(body[separator.end() :].strip())
    if parsed is None or (name is None and url is None):
        return None
    result, tail = parsed
    # Without bullet or URL, only 'name : KNOWN_WORD' is a job; 'Status: FAILURE' is prose.
    spaced = body[separator.start() - 1 : separator.start()] == " "
    if not bulleted and url is None and not (spaced and result in RESULT_CLASSES):
        return None
    detail, duration, voting = _parse_tail(tail)
    if name is None:
        name = _name_from_url(url)
    return JobResult(name, url, result, result_class(result), duration, voting, detail)


def _name_and_url(left: str) -> tuple[str | None, str | None]:
    tokens = left.split()
    for position, token in enumerate(tokens):
        bare = token.strip("<>")  # a URL may be written <http://...>; a name keeps its brackets
        if _URL_RE.match(bare):
            name = " ".join(tokens[:position]).rstrip(":").strip()
            return name or None, bare
    if len(tokens) == 2 and tokens[0] == tokens[1]:
        tokens = tokens[:1]  # Zuul puts the job name in the URL slot when there is no URL
    name = " ".join(tokens).rstrip(":").strip()
    return name or None, None


def _result_and_tail(right: str) -> tuple[str, str] | None:
    match = _WORD_RE.match(right)
    if match is None:
        return None
    word, tail = match.groups()
    if word.upper() in RESULT_CLASSES or word.upper() == UNKNOWN:
        return word.upper(), tail
    if _ALL_CAPS_RE.fullmatch(word):
        return word, tail  # an unlisted word, kept verbatim (class error)
    return None


def _parse_tail(tail: str) -> tuple[str | None, int | None, bool]:
    """(free text, duration, voting) from what follows the result word."""
    voting = _NON_VOTING_RE.search(tail) is None
    words = _NON_VOTING_RE.sub(" ", tail).lstrip(".,;").split()
    end, duration = len(words), None
    # The duration is the last 'in ...' of the line; free text may contain 'in' too.
    for position in range(len(words) - 1, max(len(words) - 8, -1), -1):
        if words[position].lower() == "in":
            duration = _parse_duration(words[position + 1 :])
            if duration is not None:
                end = position
                break
    return " ".join(words[:end]) or None, duration, voting


def _name_from_url(url: str | None) -> str | None:
    """Jenkins' job name from its build URL; other URLs carry no reliable name."""
    names = _JENKINS_JOB_RE.findall(url or "")
    return "/".join(unquote(name) for name in names) or None


# -- durations -----------------------------------------------------------------------------------

_DURATION_TOKEN_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|[a-z]+|\S")
_CLOCK_RE = re.compile(r"(?:([0-9]{1,3}):)?([0-9]{1,2}):([0-9]{2})")
_UNIT_SECONDS = {
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours"], 3600),
    **dict.fromkeys(["m", "min", "mins", "minute", "minutes"], 60),
    **dict.fromkeys(["s", "sec", "secs", "second", "seconds"], 1),
}
_DURATION_FILLERS = {",", "and"}


def _parse_duration(words: list[str]) -> int | None:
    """Seconds in '1h 02m 03s', '12 sec', '3.5 min', '1:02:03'; None when it is not that."""
    text = " ".join(words).lower().rstrip(".")
    if not text or len(text) > 64:
        return None
    clock = _CLOCK_RE.fullmatch(text)
    if clock:
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        return _bounded(hours * 3600 + minutes * 60 + seconds)
    tokens = [t for t in _DURATION_TOKEN_RE.findall(text) if t not in _DURATION_FILLERS]
    if not tokens or len(tokens) % 2:
        return None
    total = 0.0
    for number, unit in zip(tokens[::2], tokens[1::2], strict=True):
        if not number[0].isdigit() or unit not in _UNIT_SECONDS:
            return None
        total += float(number) * _UNIT_SECONDS[unit]
    return _bounded(round(total))


def _bounded(seconds: int) -> int | None:
    return seconds if 0 <= seconds <= _MAX_DURATION_S else None


# -- prose jobs ----------------------------------------------------------------------------------


_PROSE_NOT_NAMES = frozenset("a an the is was were be been of with result status overall".split())


def _parse_prose(lines: list[str]) -> list[JobResult]:
    """Jobs written as sentences: 'Build succeeded.  Cinder-ISER-ISCSI SUCCESS in 35m 11s'."""
    jobs: list[JobResult] = []
    for line in lines:
        jobs.extend(_prose_jobs(line.split()))
    return jobs


def _prose_jobs(tokens: list[str]) -> list[JobResult]:
    jobs = []
    start = 0  # tokens before this index belong to the previous job
    index = 1
    while index < len(tokens):
        word = tokens[index].rstrip(".,;")
        found = _prose_name(tokens, start, index) if word in RESULT_CLASSES else None
        if found is None:
            index += 1
            continue
        name, url = found
        duration, index = _prose_duration(tokens, index + 1)
        voting = index >= len(tokens) or not _NON_VOTING_RE.fullmatch(tokens[index])
        index += 0 if voting else 1
        jobs.append(JobResult(name, url, word, result_class(word), duration, voting, None))
        start = index
    return jobs


def _prose_name(tokens: list[str], start: int, index: int) -> tuple[str, str | None] | None:
    """(name, url) written just before a result word: 'name RESULT' or 'name url RESULT'."""
    url = None
    position = index - 1
    if position >= start and _URL_RE.match(tokens[position]):
        url, position = tokens[position], position - 1
    if position < start:
        return None
    name = tokens[position]
    # 'succeeded.' or 'Result:' end a sentence or label, 'was FAILURE' is English: not job names.
    if (
        name[-1] in ".:;,"
        or name.rstrip(".,;") in RESULT_CLASSES
        or name.lower() in _PROSE_NOT_NAMES
        or _URL_RE.match(name)
    ):
        return None
    return name, url


def _prose_duration(tokens: list[str], index: int) -> tuple[int | None, int]:
    """Duration after 'in' at index (the longest run of tokens that parses), and the next index."""
    if index >= len(tokens) or tokens[index].lower() != "in":
        return None, index
    for end in range(min(len(tokens), index + 7), index + 1, -1):
        duration = _parse_duration(tokens[index + 1 : end])
        if duration is not None:
            return duration, end
    return None, index


# -- putting it together -------------------------------------------------------------------------


def _overall(vote: int | None, header: str | None, jobs: list[JobResult]) -> str:
    """DESIGN.md precedence: the vote, then the header, then the voting jobs."""
    if vote:
        return "SUCCESS" if vote > 0 else "FAILURE"
    if header:
        return header
    classes = [job.result_class for job in jobs if job.voting]
    if not classes:
        return UNKNOWN
    if all(cls == "success" for cls in classes):
        return "SUCCESS"
    return "FAILURE" if "failure" in classes else "ERROR"


def _parse(text: str) -> ParsedReport:
    patchset, patchset_rest, lines = _split_patchset(_lines(text))
    vote = _vote(patchset_rest)
    jobs, first_job = _parse_jobs(lines)
    intro = lines if first_job is None else lines[:first_job]
    header = _header([patchset_rest, *intro])
    pipeline = _pipeline(intro)
    if vote is None and header is None and _is_notice(patchset_rest, lines):
        return ParsedReport("notice", patchset, None, UNKNOWN, "unknown", pipeline, ())
    if not jobs:
        jobs = _parse_prose(lines)
    result = _overall(vote, header, jobs)  # over every job, kept or not
    kept = tuple(jobs[:MAX_JOBS])
    dropped = len(jobs) - len(kept)
    return ParsedReport(
        "report", patchset, vote, result, result_class(result), pipeline, kept, dropped
    )


# -- rechecks ------------------------------------------------------------------------------------

_RECHECK_RE = re.compile(r"recheck(?![\w-])", re.IGNORECASE)
_TARGET_RE = re.compile(r"[^\W_][\w.-]*")
# Words people write after 'recheck' that do not name a CI ('recheck please', 'recheck bug 1').
_NOT_A_TARGET = frozenset(
    "please pls plz again bug bugs the this that it for with on to all now since as due because"
    " after and once more".split()
)


def _parse_recheck(text: str, known: Iterable[str] | None = None) -> tuple[bool, str | None]:
    _, patchset_rest, lines = _split_patchset(_lines(text))
    if _RECHECK_RE.match(patchset_rest):
        comment = patchset_rest  # an old Gerrit wrote short comments on the Patch Set line
    else:
        comments = [line for line in lines if not _COMMENTS_RE.fullmatch(line)]
        comment = comments[0] if comments else ""
    match = _RECHECK_RE.match(comment)
    if match is None:
        return False, None
    return True, _recheck_target(comment[match.end() :], known)


def _recheck_target(rest: str, known: Iterable[str] | None) -> str | None:
    words = rest.split()
    word = words[0].strip("'\"`()[]").rstrip(".,;:!?") if words else ""
    if not _TARGET_RE.fullmatch(word) or word.lower() in _NOT_A_TARGET:
        return None
    if known is not None and word.casefold() not in {name.casefold() for name in known if name}:
        return None  # 'recheck timed out', 'recheck tempest-full : flaky': a reason, not a CI
    return word
