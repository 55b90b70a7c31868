"""Every ``$ command`` example of README.md and docs/ runs against a live Radar, with its shape.

See tests/doc_examples.py for what an example is and what "the same shape" means.
"""

import sys
from pathlib import Path

import pytest

from tests.doc_examples import all_examples, run, same_shape

EXAMPLES = all_examples()


def test_the_documents_have_examples():
    assert len(EXAMPLES) >= 20, [example.name for example in EXAMPLES]


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.name for example in EXAMPLES])
def test_example_runs_with_the_documented_shape(example, live_api):
    output, status = run(example, live_api.url, Path(sys.executable).parent)
    if example.exit_status is not None:
        assert status == example.exit_status, output
    else:
        assert status == 0, output
    assert "Traceback" not in output
    problems = same_shape(example.output, output)
    assert not problems, f"{problems}\n--- documented\n{example.output}--- now\n{output}"
