"""What the machine cannot run is skipped there, saying why, and runs everywhere else.

The suite's own machinery (tests/support/machine.py), run for real on a small suite of its own:
it decides which of the bridge's tests run on the Pi's platform under the emulator.
"""

from __future__ import annotations

import platform

import pytest

from tests.support.machine import EMULATOR_ENV, arm64_host

pytest_plugins = ["pytester"]

SUITE = """
import pytest

@pytest.mark.emulator_lacks("the IP_MULTICAST_IF socket option")
def test_multicast():
    pass

@pytest.mark.arm64_host
def test_on_arm64():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    pytester.makeconftest(
        "from tests.support.machine import pytest_collection_modifyitems, pytest_configure"
    )
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(SUITE)
    monkeypatch.delenv(EMULATOR_ENV, raising=False)
    return pytester


def test_under_the_emulator_a_test_it_cannot_run_is_skipped_saying_why(suite, monkeypatch):
    monkeypatch.setenv(EMULATOR_ENV, "qemu-user 7.2.0")
    result = suite.runpytest("-rs", "-k", "test_multicast")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*qemu-user 7.2.0 lacks the IP_MULTICAST_IF socket option*"])


def test_without_the_emulator_it_runs(suite):
    suite.runpytest("-k", "test_multicast").assert_outcomes(passed=1)


def test_an_arm64_test_runs_on_arm64_and_elsewhere_says_where_it_runs(suite):
    result = suite.runpytest("-rs", "-k", "test_on_arm64")
    if arm64_host():
        result.assert_outcomes(passed=1)
    else:
        result.assert_outcomes(skipped=1)
        result.stdout.fnmatch_lines(
            [f"*needs an arm64 host, not {platform.machine()}: scripts/pi-root runs it there*"]
        )


def test_a_mark_that_does_not_say_what_the_emulator_lacks_is_refused(suite):
    suite.makepyfile(
        test_unsaid="import pytest\n\n@pytest.mark.emulator_lacks()\ndef test_x():\n    pass\n"
    )
    result = suite.runpytest("-k", "test_x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*emulator_lacks needs what it lacks*"])
