"""Message texts in the formats real CI systems post on Gerrit (DESIGN.md section 3).

Pure functions: the scenario decides results, jobs and variants; this module only writes text.
Styles: ``zuul_v3`` (Zuul 3+), ``zuul_v2`` (Zuul 2 / Jenkins), ``jenkins_trigger`` (Jenkins
Gerrit Trigger plugin) and ``prose`` (one line of prose). Job line shapes (``Job.style``):
``url`` (name, URL, result), ``no_url``, ``no_name``, ``next_line`` (the URL and result on the
line below the name), and any ``ERROR`` result may carry free text (``Job.note``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    """One job result inside a report, as the CI rendered it."""

    name: str | None
    url: str | None
    result: str
    voting: bool = True
    duration_s: int | None = None
    note: str | None = None  # free text after the result word (only with ERROR)
    style: str = "url"


_ZUUL_HEADERS = {
    "SUCCESS": "Build succeeded",
    "FAILURE": "Build failed",
    # No header keyword of DESIGN.md section 3 on purpose: the voting jobs decide (ERROR).
    "ERROR": "Build completed with errors",
}
_MERGE_FAILED = (
    "Merge Failed.\n\nThis change or one of its cross-repo dependencies was unable to be "
    "automatically merged with the current state of its repository. Please rebase the change "
    "and upload a new patchset."
)
_ZUUL_V2_HELP = "https://docs.opendev.example/infra/manual/developers.html#automated-testing"


def duration(seconds: int) -> str:
    """Zuul's duration format: ``2s``, ``3m 12s``, ``1h 02m 03s``."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def vote_line(patchset: int, vote: int | None) -> str:
    return f"Patch Set {patchset}: Verified{vote:+d}" if vote else f"Patch Set {patchset}:"


def crlf(text: str) -> str:
    """Windows line endings, as one CI (a Jenkins on Windows) posts them."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _job_line(job: Job, bullet: str) -> str:
    tail = job.result
    if job.note:
        tail += f" {job.note}"
    if job.duration_s is not None:
        tail += f" in {duration(job.duration_s)}"
    if not job.voting:
        tail += " (non-voting)"
    if job.style == "no_url" or not job.url:
        return f"{bullet} {job.name} : {tail}"
    if job.style == "no_name" or not job.name:
        return f"{bullet} {job.url} : {tail}"
    if job.style == "next_line":
        return f"{bullet} {job.name}\n  {job.url} : {tail}"
    return f"{bullet} {job.name} {job.url} : {tail}"


def _job_block(jobs, bullet: str = "-") -> str:
    return "\n".join(_job_line(job, bullet) for job in jobs)


def zuul_v3(patchset, result, jobs, *, vote=None, pipeline="check", buildset_url=None) -> str:
    if result == "MERGE_FAILED":
        return f"{vote_line(patchset, vote)}\n\n{_MERGE_FAILED}"
    header = f"{_ZUUL_HEADERS[result]} ({pipeline} pipeline)."
    if buildset_url:
        header += f"\n{buildset_url}"
    return f"{vote_line(patchset, vote)}\n\n{header}\n\n{_job_block(jobs)}"


def zuul_v2(patchset, result, jobs, *, vote=None, bullet="-") -> str:
    if result == "MERGE_FAILED":
        return f"{vote_line(patchset, vote)}\n\n{_MERGE_FAILED}"
    if result == "SUCCESS":
        header = "Build succeeded."
    elif result == "FAILURE":
        header = f"Build failed.  For information on how to proceed, see {_ZUUL_V2_HELP}"
    else:
        header = _ZUUL_HEADERS[result] + "."
    return f"{vote_line(patchset, vote)}\n\n{header}\n\n{_job_block(jobs, bullet)}"


def jenkins_trigger(patchset, result, jobs, *, vote=None) -> str:
    if result == "SUCCESS":
        header = "Build Successful"
    elif result == "ABORTED":
        header = "Build Aborted"
    elif all(job.result in ("SUCCESS", "UNSTABLE") for job in jobs):
        header = "Build Unstable"
    else:
        header = "Build Failed"
    # The plugin leaves a space after the header; its stats lines carry no job name.
    stats = "\n".join(f"{job.url} : {job.result}" for job in jobs)
    return f"{vote_line(patchset, vote)}\n\n{header} \n\n{stats}"


def prose(patchset, result, jobs, *, vote=None) -> str:
    header = {"SUCCESS": "Build succeeded.", "FAILURE": "Build failed."}.get(
        result, "Build finished."
    )
    parts = [f"{job.name} {job.result} in {duration(job.duration_s or 0)}" for job in jobs]
    return f"{vote_line(patchset, vote)}\n\n{header}  {'  '.join(parts)}"


def unknown(patchset, log_url) -> str:
    """A verdict nothing can be read from: stored as a report with result UNKNOWN."""
    return f"Patch Set {patchset}:\n\nBuild complete, see logs at {log_url}"


RENDERERS = {
    "zuul_v3": zuul_v3,
    "zuul_v2": zuul_v2,
    "jenkins_trigger": jenkins_trigger,
    "prose": prose,
}


def starting(patchset, pipeline="check") -> str:
    return f"Patch Set {patchset}:\n\nStarting {pipeline} jobs."


def build_started(patchset, url) -> str:
    return f"Patch Set {patchset}:\n\nBuild Started {url}"


def uploaded(patchset) -> str:
    return f"Uploaded patch set {patchset}."


def recheck(patchset, word="recheck", target="") -> str:
    return f"Patch Set {patchset}:\n\n{word} {target}".rstrip()


def review(patchset, labels: str, comment: str) -> str:
    head = f"Patch Set {patchset}: {labels}" if labels else f"Patch Set {patchset}:"
    return f"{head}\n\n{comment}" if comment else head
