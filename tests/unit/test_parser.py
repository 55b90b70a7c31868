"""Table-driven tests of the CI comment parser, from real-world message shapes."""

import random

import pytest

from radar_collector import parser
from radar_collector.parser import (
    MAX_JOBS,
    RESULT_CLASSES,
    JobResult,
    ParsedReport,
    parse_ci_message,
    parse_recheck,
    result_class,
)

ZUUL = "https://zuul.example.org/t/openstack/build/"
LOGS = "http://logs.openstack.org/45/12345/3/check/"
JENKINS = "http://jenkins.example.com/job/"
PROCEED = (
    "For information on how to proceed, see "
    "http://docs.openstack.org/infra/manual/developers.html#automated-testing"
)


def job(name, url, result, cls, duration=None, voting=True, detail=None):
    return JobResult(name, url, result, cls, duration, voting, detail)


def report(result, cls, *jobs, vote=None, patchset=None, pipeline=None):
    return ParsedReport("report", patchset, vote, result, cls, pipeline, tuple(jobs))


def notice(patchset=None, pipeline=None):
    return ParsedReport("notice", patchset, None, "UNKNOWN", "unknown", pipeline, ())


DESIGN_EXAMPLE = (
    "Patch Set 4: Verified+1\n\nBuild succeeded (check pipeline).\n\n"
    f"- openstack-tox-pep8 {ZUUL}9c1 : SUCCESS in 3m 12s\n"
    f"- tempest-full-py3 {ZUUL}7d2 : FAILURE in 1h 02m 03s (non-voting)\n"
)
DESIGN_EXAMPLE_PARSED = report(
    "SUCCESS",
    "success",
    job("openstack-tox-pep8", f"{ZUUL}9c1", "SUCCESS", "success", 192),
    job("tempest-full-py3", f"{ZUUL}7d2", "FAILURE", "failure", 3723, voting=False),
    vote=1,
    patchset=4,
    pipeline="check",
)

CASES = [
    # -- Zuul v3 ---------------------------------------------------------------------------------
    ("zuul3-check-design-example", DESIGN_EXAMPLE, DESIGN_EXAMPLE_PARSED),
    (
        "zuul3-gate-verified+2-buildset-url",
        "Patch Set 7: Verified+2\n\nBuild succeeded (gate pipeline).\n"
        "https://zuul.example.org/t/openstack/buildset/0f3a\n\n"
        f"- openstack-tox-py311 {ZUUL}a1 : SUCCESS in 45m 02s\n"
        f"- tempest-integrated-compute {ZUUL}a2 : SUCCESS in 2h 00m 00s\n",
        report(
            "SUCCESS",
            "success",
            job("openstack-tox-py311", f"{ZUUL}a1", "SUCCESS", "success", 2702),
            job("tempest-integrated-compute", f"{ZUUL}a2", "SUCCESS", "success", 7200),
            vote=2,
            patchset=7,
            pipeline="gate",
        ),
    ),
    (
        "zuul3-post-pipeline-no-vote",
        "Build succeeded (post pipeline).\n\n"
        f"- publish-openstack-releasenotes {ZUUL}b1 : SUCCESS in 6m 40s\n",
        report(
            "SUCCESS",
            "success",
            job("publish-openstack-releasenotes", f"{ZUUL}b1", "SUCCESS", "success", 400),
            pipeline="post",
        ),
    ),
    (
        "zuul3-check-failure-result-words",
        "Patch Set 2: Verified-1\n\nBuild failed (check pipeline).  For information on how to "
        "proceed, see https://docs.opendev.org/opendev/infra-manual/latest/developers.html\n\n"
        f"- openstack-tox-pep8 {ZUUL}c1 : POST_FAILURE in 4m 03s\n"
        f"- openstack-tox-py311 {ZUUL}c2 : TIMED_OUT in 1h 00m 00s\n"
        f"- nova-grenade {ZUUL}c3 : NODE_FAILURE Node request 300-0001 failed in 0s\n"
        f"- nova-live-migration {ZUUL}c4 : RETRY_LIMIT in 12m 00s (non-voting)\n"
        "- nova-multi-cell : SKIPPED\n"
        "Skipped 2 jobs\n",
        report(
            "FAILURE",
            "failure",
            job("openstack-tox-pep8", f"{ZUUL}c1", "POST_FAILURE", "failure", 243),
            job("openstack-tox-py311", f"{ZUUL}c2", "TIMED_OUT", "failure", 3600),
            job(
                "nova-grenade",
                f"{ZUUL}c3",
                "NODE_FAILURE",
                "error",
                0,
                detail="Node request 300-0001 failed",
            ),
            job("nova-live-migration", f"{ZUUL}c4", "RETRY_LIMIT", "error", 720, voting=False),
            job("nova-multi-cell", None, "SKIPPED", "skipped"),
            vote=-1,
            patchset=2,
            pipeline="check",
        ),
    ),
    (
        "zuul3-gate-verified-2-with-warning-section",
        "Patch Set 9: Verified-2\n\nBuild failed (gate pipeline).\n\n"
        f"- openstack-tox-docs {ZUUL}d1 : FAILURE in 8m 30s\n\n"
        "Warning:\n  Job openstack-tox-docs uses a deprecated nodeset\n",
        report(
            "FAILURE",
            "failure",
            job("openstack-tox-docs", f"{ZUUL}d1", "FAILURE", "failure", 510),
            vote=-2,
            patchset=9,
            pipeline="gate",
        ),
    ),
    (
        "zuul3-third-party-pipeline-name",
        "Patch Set 1: Verified+1\n\nBuild succeeded (third-party-check pipeline).\n\n"
        "- acme-tempest https://ci.acme.example/build/1 : SUCCESS in 1h 5m 0s\n",
        report(
            "SUCCESS",
            "success",
            job("acme-tempest", "https://ci.acme.example/build/1", "SUCCESS", "success", 3900),
            vote=1,
            patchset=1,
            pipeline="third-party-check",
        ),
    ),
    (
        "zuul3-noop-without-url-and-doubled-name",
        "Patch Set 3: Verified+1\n\nBuild succeeded (check pipeline).\n\n"
        "- noop : SUCCESS\n- noop noop : SUCCESS in 0s\n",
        report(
            "SUCCESS",
            "success",
            job("noop", None, "SUCCESS", "success"),
            job("noop", None, "SUCCESS", "success", 0),
            vote=1,
            patchset=3,
            pipeline="check",
        ),
    ),
    (
        "zuul3-error-freeform-text",
        "Build failed (check pipeline).\n\n"
        f"- nova-tox {ZUUL}e1 : ERROR A freeform string in 2m 45s\n"
        "- nova-docs : ERROR Unable to freeze job graph: Job base not defined\n"
        "- nova-pep8 : ERROR Project nova does not have branch master in 10s (non-voting)\n",
        report(
            "FAILURE",
            "failure",
            job("nova-tox", f"{ZUUL}e1", "ERROR", "error", 165, detail="A freeform string"),
            job(
                "nova-docs",
                None,
                "ERROR",
                "error",
                detail="Unable to freeze job graph: Job base not defined",
            ),
            job(
                "nova-pep8",
                None,
                "ERROR",
                "error",
                10,
                voting=False,
                detail="Project nova does not have branch master",
            ),
            pipeline="check",
        ),
    ),
    (
        "zuul3-merge-failed-with-vote",
        "Patch Set 5: Verified-1\n\nMerge Failed.\n\nThis change or one of its cross-repo "
        "dependencies was unable to be automatically merged with the current state of its "
        "repository. Please rebase the change and upload a new patchset.",
        report("FAILURE", "failure", vote=-1, patchset=5),
    ),
    (
        "zuul3-merge-failed-no-vote",
        "Patch Set 5:\n\nMerge Failed.\n\nThis change or one of its cross-repo dependencies was "
        "unable to be automatically merged with the current state of its repository.",
        report("MERGE_FAILED", "error", patchset=5),
    ),
    (
        "zuul3-dequeue-build-canceled",
        f"Build canceled (check pipeline).\n\n- nova-tox {ZUUL}f1 : CANCELED\n",
        report(
            "ABORTED",
            "skipped",
            job("nova-tox", f"{ZUUL}f1", "CANCELED", "skipped"),
            pipeline="check",
        ),
    ),
    (
        "zuul3-inline-comment-count-line",
        "Patch Set 2: Verified-1\n\n(1 comment)\n\nBuild failed (check pipeline).\n\n"
        f"- openstack-tox-pep8 {ZUUL}g1 : FAILURE in 1m 01s\n",
        report(
            "FAILURE",
            "failure",
            job("openstack-tox-pep8", f"{ZUUL}g1", "FAILURE", "failure", 61),
            vote=-1,
            patchset=2,
            pipeline="check",
        ),
    ),
    (
        "zuul3-config-error-no-vote-unparseable",
        "Zuul encountered a syntax error while parsing its configuration in the repo "
        "openstack/nova on branch master.  The error was:\n\n  expected a dictionary\n",
        report("UNKNOWN", "unknown"),
    ),
    # -- Zuul v2 / Jenkins -------------------------------------------------------------------------
    (
        "zuul2-failed-for-information",
        f"Patch Set 3: Verified-1\n\nBuild failed.  {PROCEED}\n\n"
        f"- gate-nova-pep8 {LOGS}gate-nova-pep8/a1b2 : SUCCESS in 4m 10s\n"
        f"- gate-nova-python27 {LOGS}gate-nova-python27/c3d4 : FAILURE in 20m 16s\n"
        f"- gate-tempest-dsvm-full {LOGS}gate-tempest-dsvm-full/e5 : SUCCESS in 55m 01s "
        "(non-voting)\n",
        report(
            "FAILURE",
            "failure",
            job("gate-nova-pep8", f"{LOGS}gate-nova-pep8/a1b2", "SUCCESS", "success", 250),
            job(
                "gate-nova-python27",
                f"{LOGS}gate-nova-python27/c3d4",
                "FAILURE",
                "failure",
                1216,
            ),
            job(
                "gate-tempest-dsvm-full",
                f"{LOGS}gate-tempest-dsvm-full/e5",
                "SUCCESS",
                "success",
                3301,
                voting=False,
            ),
            vote=-1,
            patchset=3,
        ),
    ),
    (
        "zuul2-asterisk-bullets-header-only",
        f"Build failed.  {PROCEED}\n\n"
        f"* gate-cinder-pep8 {LOGS}pep8/1 : SUCCESS in 3m 00s\n"
        f"* gate-cinder-python27 {LOGS}py27/2 : FAILURE in 9m 59s\n",
        report(
            "FAILURE",
            "failure",
            job("gate-cinder-pep8", f"{LOGS}pep8/1", "SUCCESS", "success", 180),
            job("gate-cinder-python27", f"{LOGS}py27/2", "FAILURE", "failure", 599),
        ),
    ),
    (
        "zuul2-no-name-url-only",
        "Build failed.\n\n- http://host.example.org/tox/9/ : FAILURE in 2s\n",
        report(
            "FAILURE",
            "failure",
            job(None, "http://host.example.org/tox/9/", "FAILURE", "failure", 2),
        ),
    ),
    (
        "zuul2-merge-failure-text",
        "Patch Set 4:\n\nThis change was unable to be automatically merged with the current "
        "state of the repository. Please rebase your change and upload a new patchset.",
        report("MERGE_FAILED", "error", patchset=4),
    ),
    # -- Jenkins Gerrit Trigger --------------------------------------------------------------------
    (
        "gerrit-trigger-successful",
        "Patch Set 1: Verified+1\n\nBuild Successful \n\n"
        f"{JENKINS}foo-unit/12/ : SUCCESS\n{JENKINS}foo-lint/7/ : SUCCESS\n",
        report(
            "SUCCESS",
            "success",
            job("foo-unit", f"{JENKINS}foo-unit/12/", "SUCCESS", "success"),
            job("foo-lint", f"{JENKINS}foo-lint/7/", "SUCCESS", "success"),
            vote=1,
            patchset=1,
        ),
    ),
    (
        "gerrit-trigger-failed-no-vote",
        f"Build Failed \n\n{JENKINS}foo/12/ : FAILURE\n{JENKINS}bar/3/ : SUCCESS\n",
        report(
            "FAILURE",
            "failure",
            job("foo", f"{JENKINS}foo/12/", "FAILURE", "failure"),
            job("bar", f"{JENKINS}bar/3/", "SUCCESS", "success"),
        ),
    ),
    (
        "gerrit-trigger-unstable",
        f"Patch Set 2:\n\nBuild Unstable \n\n{JENKINS}x/5/ : UNSTABLE\n",
        report("FAILURE", "failure", job("x", f"{JENKINS}x/5/", "UNSTABLE", "failure"), patchset=2),
    ),
    (
        "gerrit-trigger-aborted",
        f"Build Aborted \n\n{JENKINS}x/6/ : ABORTED\n{JENKINS}y/2/ : NOT_BUILT\n",
        report(
            "ABORTED",
            "skipped",
            job("x", f"{JENKINS}x/6/", "ABORTED", "skipped"),
            job("y", f"{JENKINS}y/2/", "NOT_BUILT", "skipped"),
        ),
    ),
    (
        "gerrit-trigger-folders-and-custom-message",
        f"Build Failed\n\n{JENKINS}team/job/build%20all/5/ : FAILURE Compilation failed\n",
        report(
            "FAILURE",
            "failure",
            job(
                "team/build all",
                f"{JENKINS}team/job/build%20all/5/",
                "FAILURE",
                "failure",
                detail="Compilation failed",
            ),
        ),
    ),
    (
        "gerrit-trigger-bulleted-with-name-and-seconds",
        f"Build Successful\n\n- unit-tests {JENKINS}unit/4/ : SUCCESS in 12 sec\n",
        report(
            "SUCCESS", "success", job("unit-tests", f"{JENKINS}unit/4/", "SUCCESS", "success", 12)
        ),
    ),
    # -- prose CIs ---------------------------------------------------------------------------------
    (
        "prose-single-job",
        "Patch Set 6:\n\nBuild succeeded.  Cinder-ISER-ISCSI SUCCESS in 35m 11s",
        report(
            "SUCCESS",
            "success",
            job("Cinder-ISER-ISCSI", None, "SUCCESS", "success", 2111),
            patchset=6,
        ),
    ),
    (
        "prose-two-jobs-commas-and-seconds-word",
        "Build failed. acme-iscsi SUCCESS in 3m 12s, acme-fc FAILURE in 12 sec",
        report(
            "FAILURE",
            "failure",
            job("acme-iscsi", None, "SUCCESS", "success", 192),
            job("acme-fc", None, "FAILURE", "failure", 12),
        ),
    ),
    (
        "prose-url-decimal-minutes-non-voting",
        "Build succeeded.\nacme-nfs http://logs.acme.example/1 FAILURE in 3.5 min (non-voting)\n"
        "acme-iscsi SUCCESS",
        report(
            "SUCCESS",
            "success",
            job("acme-nfs", "http://logs.acme.example/1", "FAILURE", "failure", 210, voting=False),
            job("acme-iscsi", None, "SUCCESS", "success"),
        ),
    ),
    (
        "prose-no-header-jobs-decide",
        "Vendor CI report: vendor-volume FAILURE in 1h",
        report("FAILURE", "failure", job("vendor-volume", None, "FAILURE", "failure", 3600)),
    ),
    (
        "prose-english-is-not-a-job",
        "Build failed. The run was a FAILURE, status FAILURE.",
        report("FAILURE", "failure"),
    ),
    # -- notices -----------------------------------------------------------------------------------
    ("notice-starting-check", "Patch Set 3:\n\nStarting check jobs.", notice(3, "check")),
    (
        "notice-starting-gate-removed-vote",
        "Patch Set 8: -Verified\n\nStarting gate jobs.",
        notice(8, "gate"),
    ),
    (
        "notice-build-started-gerrit-trigger",
        f"Patch Set 3:\n\nBuild Started {JENKINS}foo/12/ (1/2)",
        notice(3),
    ),
    ("notice-build-started-no-patchset-line", f"Build Started {JENKINS}foo/13/", notice()),
    ("notice-uploaded-patch-set", "Uploaded patch set 5.", notice(5)),
    ("notice-commit-message-updated", "Patch Set 2: Commit message was updated.", notice(2)),
    ("notice-patchset-line-only", "Patch Set 6:", notice(6)),
    ("notice-patchset-line-other-label", "Patch Set 6: Code-Review+1", notice(6)),
    ("notice-empty", "", notice()),
    ("notice-whitespace-only", " \r\n\t\n ", notice()),
    # -- votes and precedence ---------------------------------------------------------------------
    (
        "vote-only-is-a-verdict",
        "Patch Set 3: Verified+1",
        report("SUCCESS", "success", vote=1, patchset=3),
    ),
    (
        "vote-among-labels",
        "Patch Set 3: Verified+1 Code-Review+1\n\nLooks good.",
        report("SUCCESS", "success", vote=1, patchset=3),
    ),
    (
        "vote-removed-header-decides",
        "Patch Set 3: -Verified\n\nBuild failed.",
        report("FAILURE", "failure", patchset=3),
    ),
    (
        "vote-beats-header",
        "Patch Set 3: Verified-1\n\nBuild succeeded.",
        report("FAILURE", "failure", vote=-1, patchset=3),
    ),
    (
        "header-beats-jobs",
        "Build succeeded.\n- a : FAILURE\n",
        report("SUCCESS", "success", job("a", None, "FAILURE", "failure")),
    ),
    (
        "jobs-all-success",
        "- a : SUCCESS\n- b : FAILURE (non-voting)\n",
        report(
            "SUCCESS",
            "success",
            job("a", None, "SUCCESS", "success"),
            job("b", None, "FAILURE", "failure", voting=False),
        ),
    ),
    (
        "jobs-error-without-failure",
        "- a : SUCCESS\n- b : NODE_FAILURE\n",
        report(
            "ERROR",
            "error",
            job("a", None, "SUCCESS", "success"),
            job("b", None, "NODE_FAILURE", "error"),
        ),
    ),
    (
        "jobs-skipped-is-not-success",
        "- a : SUCCESS\n- b : SKIPPED\n",
        report(
            "ERROR",
            "error",
            job("a", None, "SUCCESS", "success"),
            job("b", None, "SKIPPED", "skipped"),
        ),
    ),
    (
        "jobs-only-non-voting",
        "- a : FAILURE (non-voting)\n",
        report("UNKNOWN", "unknown", job("a", None, "FAILURE", "failure", voting=False)),
    ),
    # -- line shapes -------------------------------------------------------------------------------
    (
        "url-on-next-line",
        f"Build succeeded.\n\n- nova-tox\n  {ZUUL}h1 : SUCCESS in 5m\n",
        report("SUCCESS", "success", job("nova-tox", f"{ZUUL}h1", "SUCCESS", "success", 300)),
    ),
    (
        "name-colon-then-url-line",
        f"Build succeeded.\n\n- nova-tox :\n  {ZUUL}h2 : SUCCESS\n",
        report("SUCCESS", "success", job("nova-tox", f"{ZUUL}h2", "SUCCESS", "success")),
    ),
    (
        "result-on-next-line",
        f"Build failed.\n\n- nova-tox {ZUUL}h3 :\n  FAILURE in 3m 00s\n- nova-pep8 : SUCCESS\n",
        report(
            "FAILURE",
            "failure",
            job("nova-tox", f"{ZUUL}h3", "FAILURE", "failure", 180),
            job("nova-pep8", None, "SUCCESS", "success"),
        ),
    ),
    (
        "unlisted-and-lowercase-words",
        "- a : DISASTER in 1m\n- b : success\n- c : UNKNOWN\n",
        report(
            "ERROR",
            "error",
            job("a", None, "DISASTER", "error", 60),
            job("b", None, "SUCCESS", "success"),
            job("c", None, "UNKNOWN", "unknown"),
        ),
    ),
    (
        "durations-clock-and-unparseable",
        "- a : SUCCESS in 1:02:03\n- b : SUCCESS in 0s\n- c : SUCCESS in a while\n",
        report(
            "SUCCESS",
            "success",
            job("a", None, "SUCCESS", "success", 3723),
            job("b", None, "SUCCESS", "success", 0),
            job("c", None, "SUCCESS", "success", detail="in a while"),
        ),
    ),
    (
        "unbulleted-name-colon-known-word",
        "Build succeeded.\nunit-tests : SUCCESS in 2m\nStatus: FAILURE\n",
        report("SUCCESS", "success", job("unit-tests", None, "SUCCESS", "success", 120)),
    ),
    (
        "prose-bullet-not-a-job",
        "Build failed.\n- Note: see the logs\n- Logs : http://logs.example.org/1\n",
        report("FAILURE", "failure"),
    ),
    # -- status symbols, pipeline-first headers (shapes from public Gerrit sites) --------------
    (
        "emoji-bullets-url-in-parentheses-next-line",
        "Patch Set 3: Verified-1\n\nBuild failed (check pipeline).\n\n"
        "✅ openstack-tox-pep8 : SUCCESS in 3m 12s\n"
        f"({ZUUL}e1)\n"
        "❌ tempest-full-py3 : FAILURE in 1h 02m 03s\n"
        f"({ZUUL}e2)\n"
        "⚠️ grenade : POST_FAILURE in 40m (non-voting)\n"
        f"({ZUUL}e3)\n",
        report(
            "FAILURE",
            "failure",
            job("openstack-tox-pep8", f"{ZUUL}e1", "SUCCESS", "success", 192),
            job("tempest-full-py3", f"{ZUUL}e2", "FAILURE", "failure", 3723),
            job("grenade", f"{ZUUL}e3", "POST_FAILURE", "failure", 2400, voting=False),
            vote=-1,
            patchset=3,
            pipeline="check",
        ),
    ),
    (
        "symbol-bullets-without-url-lines",
        "Build succeeded.\n\n✔ unit : SUCCESS in 2m\n✘ docs : SKIPPED\n🟢 lint : SUCCESS\n",
        report(
            "SUCCESS",
            "success",
            job("unit", None, "SUCCESS", "success", 120),
            job("docs", None, "SKIPPED", "skipped"),
            job("lint", None, "SUCCESS", "success"),
        ),
    ),
    (
        "symbol-bullet-bare-url-next-line-and-dash-symbol",
        "Build failed.\n\n"
        "❌ nova-tox : FAILURE in 5m\n"
        f"{JENKINS}nova-tox/12/\n"
        "- ✅ nova-pep8 : SUCCESS\n"
        f"<{JENKINS}nova-pep8/3/>\n",
        report(
            "FAILURE",
            "failure",
            job("nova-tox", f"{JENKINS}nova-tox/12/", "FAILURE", "failure", 300),
            job("nova-pep8", f"{JENKINS}nova-pep8/3/", "SUCCESS", "success"),
        ),
    ),
    (
        "bare-url-after-plain-job-is-not-its-url",
        "Build succeeded.\n\n- nova-tox : SUCCESS\nhttps://ci.example.org/about\n",
        report("SUCCESS", "success", job("nova-tox", None, "SUCCESS", "success")),
    ),
    (
        "emoji-without-space-is-not-a-bullet",
        "Build succeeded.\n\n✅nova-tox : SUCCESS\n",
        report("SUCCESS", "success", job("✅nova-tox", None, "SUCCESS", "success")),
    ),
    (
        "pipeline-before-build-failed",
        "Patch Set 5:\n\nGate pipeline build failed.\n\n"
        f"- nova-tox {ZUUL}g1 : FAILURE in 10m\n",
        report(
            "FAILURE",
            "failure",
            job("nova-tox", f"{ZUUL}g1", "FAILURE", "failure", 600),
            patchset=5,
            pipeline="gate",
        ),
    ),
    (
        "pipeline-before-build-succeeded-with-emoji-jobs",
        "Check pipeline build succeeded.\n\n✅ cinder-iscsi : SUCCESS in 35m 11s\n"
        "(https://ci.example.org/logs/77/)\n",
        report(
            "SUCCESS",
            "success",
            job("cinder-iscsi", "https://ci.example.org/logs/77/", "SUCCESS", "success", 2111),
            pipeline="check",
        ),
    ),
    (
        "third-party-pipeline-before-build-aborted",
        "Patch Set 1:\n\nexperimental-xen pipeline build aborted.\n",
        report("ABORTED", "skipped", patchset=1, pipeline="experimental-xen"),
    ),
    # -- robustness --------------------------------------------------------------------------------
    ("crlf-and-trailing-spaces", DESIGN_EXAMPLE.replace("\n", "  \r\n"), DESIGN_EXAMPLE_PARSED),
    ("cr-only-line-endings", DESIGN_EXAMPLE.replace("\n", "\r"), DESIGN_EXAMPLE_PARSED),
    ("tabs-and-indented-bullets", DESIGN_EXAMPLE.replace("- ", "\t  -\t"), DESIGN_EXAMPLE_PARSED),
    (
        "emoji-and-non-latin-names",
        "Patch Set 2: Verified-1\n\nBuild failed 💥 (check pipeline).\n\n"
        f"- тест-кириллица {ZUUL}ü1 : SUCCESS in 2s\n"
        "- 測試-ジョブ : FAILURE in 0s ✨ (non-voting)\n",
        report(
            "FAILURE",
            "failure",
            job("тест-кириллица", f"{ZUUL}ü1", "SUCCESS", "success", 2),
            job("測試-ジョブ", None, "FAILURE", "failure", voting=False, detail="in 0s ✨"),
            vote=-1,
            patchset=2,
            pipeline="check",
        ),
    ),
    (
        "truncated-mid-line",
        "Patch Set 4: Verified-1\n\nBuild failed (check pipeline).\n\n"
        f"- nova-tox {ZUUL}i1 : FAIL\n- nova-pep8 {ZUUL}i2 : SUCCESS in 3m\n"
        "- tempest-full https://zuul.example.org/t/open",
        report(
            "FAILURE",
            "failure",
            job("nova-tox", f"{ZUUL}i1", "FAIL", "error"),
            job("nova-pep8", f"{ZUUL}i2", "SUCCESS", "success", 180),
            vote=-1,
            patchset=4,
            pipeline="check",
        ),
    ),
    (
        "truncated-inside-header",
        "Patch Set 4:\n\nBuild succ",
        report("UNKNOWN", "unknown", patchset=4),
    ),
    (
        "unparseable-free-text",
        "Something went wrong; contact ci-admin@example.com",
        report("UNKNOWN", "unknown"),
    ),
    (
        "huge-vote-number-is-not-a-vote",
        "Patch Set 99999999999: Verified+1234567\n\nBuild succeeded.",
        report("SUCCESS", "success"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parse_ci_message(text, expected):
    assert parse_ci_message(text) == expected


def test_enough_cases():
    assert len(CASES) >= 45
    assert len({c[0] for c in CASES}) == len(CASES)


RECHECKS = [
    ("bare", "recheck", (True, None)),
    ("after-patchset-line", "Patch Set 3:\n\nrecheck", (True, None)),
    ("after-vote-line", "Patch Set 3: Code-Review+1\n\nrecheck", (True, None)),
    ("upper-case", "Patch Set 3:\n\nRECHECK", (True, None)),
    ("names-a-ci", "Patch Set 3:\n\nrecheck my-ci", (True, "my-ci")),
    ("names-a-ci-case-kept", "Recheck My-CI", (True, "My-CI")),
    ("target-punctuation-stripped", "  recheck   foo-ci.  ", (True, "foo-ci")),
    ("prose-on-next-line", "Patch Set 3:\n\nrecheck\nThe failure is unrelated.", (True, None)),
    ("filler-word-please", "recheck please", (True, None)),
    ("filler-word-bug", "recheck bug 1234567", (True, None)),
    ("dash-reason", "recheck - unrelated timeout", (True, None)),
    ("emoji-is-not-a-target", "recheck 🤞", (True, None)),
    ("comment-count-line", "Patch Set 3:\n\n(1 comment)\n\nrecheck xen-ci", (True, "xen-ci")),
    ("old-gerrit-same-line", "Patch Set 3: recheck", (True, None)),
    ("crlf", "Patch Set 3:\r\n\r\nrecheck nova-ci\r\n", (True, "nova-ci")),
    ("word-boundary", "Patch Set 3:\n\nrechecking is silly", (False, None)),
    ("hyphenated-word", "recheck-foo", (False, None)),
    ("reverify", "Patch Set 3:\n\nreverify", (False, None)),
    ("not-at-start", "Patch Set 3:\n\nPlease recheck", (False, None)),
    ("quoted", "Patch Set 3:\n\n> recheck", (False, None)),
    ("empty", "", (False, None)),
    ("patchset-line-only", "Patch Set 3:", (False, None)),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in RECHECKS], ids=[c[0] for c in RECHECKS]
)
def test_parse_recheck(text, expected):
    assert parse_recheck(text) == expected


KNOWN = ("xen-ci", "nova-ci", "run-xen")  # usernames and recheck keywords of known CI systems
RECHECKS_KNOWN = [
    ("known-username", "Patch Set 3:\n\nrecheck xen-ci", (True, "xen-ci")),
    ("known-username-other-case", "Patch Set 3:\n\nrecheck Nova-CI please", (True, "Nova-CI")),
    ("known-keyword", "recheck run-xen", (True, "run-xen")),
    ("known-username-then-reason", "recheck xen-ci: the mirror was down", (True, "xen-ci")),
    ("job-name-then-reason", "recheck tempest-full : intermittent failure", (True, None)),
    ("reason-timed-out", "Patch Set 3:\n\nrecheck timed out, see bug 123", (True, None)),
    ("reason-one-word", "recheck flaky", (True, None)),
    ("reason-after-colon", "recheck: unrelated failure in nova-ci", (True, None)),
    ("unknown-ci-name", "recheck my-ci", (True, None)),
    ("bare", "recheck", (True, None)),
    ("not-a-recheck", "Looks good, no recheck needed", (False, None)),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in RECHECKS_KNOWN], ids=[c[0] for c in RECHECKS_KNOWN]
)
def test_parse_recheck_with_known_names(text, expected):
    assert parse_recheck(text, KNOWN) == expected


def test_parse_recheck_with_no_known_names_names_no_ci():
    assert parse_recheck("recheck xen-ci", ()) == (True, None)


@pytest.mark.parametrize(
    ("word", "cls"),
    [
        ("SUCCESS", "success"),
        ("FAILURE", "failure"),
        ("UNSTABLE", "failure"),
        ("TIMED_OUT", "failure"),
        ("POST_FAILURE", "failure"),
        ("ERROR", "error"),
        ("NODE_FAILURE", "error"),
        ("RETRY_LIMIT", "error"),
        ("MERGE_CONFLICT", "error"),
        ("NO_HANDLE", "error"),
        ("SKIPPED", "skipped"),
        ("CANCELED", "skipped"),
        ("ABORTED", "skipped"),
        ("NOT_BUILT", "skipped"),
        ("RETRY", "skipped"),
        ("UNKNOWN", "unknown"),
        ("MERGE_FAILED", "error"),
        ("WHATEVER", "error"),
        ("success", "success"),
        ("", "error"),
    ],
)
def test_result_class(word, cls):
    assert result_class(word) == cls


def test_result_classes_table_matches_design():
    by_class = {}
    for word, cls in RESULT_CLASSES.items():
        by_class.setdefault(cls, set()).add(word)
    assert by_class == {
        "success": {"SUCCESS"},
        "failure": {"FAILURE", "UNSTABLE", "TIMED_OUT", "POST_FAILURE"},
        "error": set(
            "ERROR NODE_FAILURE RETRY_LIMIT NOT_REGISTERED DISK_FULL EXCEPTION LOST DISCONNECT"
            " CONFIG_ERROR MERGER_FAILURE MERGE_CONFLICT MERGE_FAILURE NO_JOBS NO_HANDLE".split()
        ),
        "skipped": {"SKIPPED", "CANCELED", "ABORTED", "NOT_BUILT", "RETRY"},
    }


# -- property-style checks ------------------------------------------------------------------

_FRAGMENTS = [
    "Patch Set 3:",
    "Verified+1",
    "-Verified",
    "Build",
    "succeeded",
    "failed",
    "Merge Failed",
    "recheck",
    "- ",
    "* ",
    " : ",
    ":",
    "SUCCESS",
    "FAILURE",
    "ERROR",
    "in",
    "3m",
    "12s",
    "1h",
    "(non-voting)",
    "http://x/job/a/1/",
    "https://",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "💥",
    "測試",
    "(",
    ")",
    "pipeline",
    "Starting",
    "jobs.",
    "0",
    "9" * 30,
    ".",
    "\ufeff",
    "\x00",
    "\ud800",
]


def _random_message(rng: random.Random) -> str:
    return "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(0, 60)))


def _check_invariants(parsed: ParsedReport) -> None:
    assert parsed.kind in ("report", "notice")
    assert parsed.result_class == result_class(parsed.result)
    assert parsed.vote in (None, -2, -1, 1, 2)
    if parsed.kind == "notice":
        assert (parsed.result, parsed.jobs, parsed.vote) == ("UNKNOWN", (), None)
    for job_result in parsed.jobs:
        assert job_result.result_class == result_class(job_result.result)
        assert job_result.duration_s is None or job_result.duration_s >= 0


@pytest.mark.parametrize("seed", range(20))
def test_random_garbage_never_raises(seed):
    rng = random.Random(seed)
    for _ in range(100):
        text = _random_message(rng)
        # The private functions are called so the public safety net cannot hide a bug.
        _check_invariants(parser._parse(text))
        is_recheck, target = parser._parse_recheck(text)
        assert isinstance(is_recheck, bool) and (target is None or is_recheck)


@pytest.mark.parametrize("seed", range(5))
def test_random_characters_never_raise(seed):
    rng = random.Random(seed)
    text = "".join(chr(rng.randint(0, 0x2FFFF)) for _ in range(5000))
    _check_invariants(parser._parse(text))
    parser._parse_recheck(text)


PATHOLOGICAL = {
    "colons": " : " * 70_000,
    "spaces": " " * 200_000,
    "bullets": "- " * 100_000,
    "in-words": "- a : ERROR " + "in " * 60_000,
    "durations": "Build failed. a SUCCESS in " + "1m " * 60_000,
    "digits": "Patch Set " + "9" * 200_000,
    "urls": "http://" * 30_000,
    "votes": "Patch Set 1: " + "Verified+" * 20_000,
    "vote-digits": "Patch Set 1: Verified+" + "9" * 200_000 + "\n\nBuild failed.",
    "headers": "build " * 35_000,
    "parens": "(" * 100_000 + " pipeline",
    "prose": "x SUCCESS " * 20_000,
    "lines": "- a\n" * 50_000,
    "job-lines": f"- a {ZUUL}1 : FAILURE in 1m\n" * (MAX_JOBS + 500),
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_input_completes(text):
    parsed = parser._parse(text)
    _check_invariants(parsed)
    assert len(parsed.jobs) <= MAX_JOBS
    parser._parse_recheck(text)


def test_job_count_is_capped():
    assert len(parse_ci_message(PATHOLOGICAL["job-lines"]).jobs) == MAX_JOBS


def test_non_string_input_never_raises():
    assert parse_ci_message(None).result == "UNKNOWN"  # type: ignore[arg-type]
    assert parse_recheck(b"recheck") == (False, None)  # type: ignore[arg-type]


def test_job_names_keep_angle_brackets_and_urls_lose_them():
    text = (
        "Build succeeded (check pipeline).\n\n"
        "- <img src=x onerror=alert(1)> https://logs.example.org/1 : SUCCESS in 2m (non-voting)\n"
        "- plain <https://logs.example.org/2> : FAILURE in 3s\n"
    )
    jobs = parse_ci_message(text).jobs
    assert [(job.name, job.url) for job in jobs] == [
        ("<img src=x onerror=alert(1)>", "https://logs.example.org/1"),
        ("plain", "https://logs.example.org/2"),
    ]


FAST_SHAPES = [
    f"- nova-tox {ZUUL}a1 : SUCCESS in 3m 12s",
    f"- nova-tox {ZUUL}a1 : FAILURE in 1h 02m 03s (non-voting)",
    f"- nova-tox {ZUUL}a1 : TIMED_OUT in 0s",
    f"- nova-tox {ZUUL}a1 : DISASTER in 2m 00s",  # unlisted word: the general reading
    f"- nova-tox {ZUUL}a1: : SUCCESS in 3m",  # URL ending with a colon
    f"- <nova> {ZUUL}a1 : SUCCESS in 3m",
    f"- nova:tox {ZUUL}a1 : SUCCESS in 3m",
    f"* nova-tox <{ZUUL}a1> : SUCCESS in 3m",
    f"- nova-tox {ZUUL}a1 : SUCCESS in 99m 99s",
    "- nova-tox http:// : SUCCESS in 3m",
    f"- nova-tox {ZUUL}a1 : SUCCESS in 1h 05s",
    f"- nova-tox {ZUUL}a1 : SUCCESS in 9999h 99m 99s",
    f"- ✅ {ZUUL}a1 : SUCCESS in 3m",  # a status symbol, not a name: the general reading
]


@pytest.mark.parametrize("line", FAST_SHAPES)
def test_the_fast_job_line_reads_what_the_general_reading_reads(line):
    fast = parser._fast_job_line(line)
    assert fast is None or fast == parser._general_job_line(line)
    assert parser._parse_job_line(line) == parser._general_job_line(line)


def test_the_fast_job_line_is_taken_for_zuul_lines():
    assert parser._fast_job_line(FAST_SHAPES[0]) is not None
    assert parser._fast_job_line(f"- nova-tox {ZUUL}a1 : SUCCESS in 1h 05s").duration_s == 3605
    assert parser._fast_job_line(f"- ✅ {ZUUL}a1 : SUCCESS in 3m") is None
    assert parser._fast_job_line(FAST_SHAPES[1]).voting is False
