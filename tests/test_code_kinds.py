"""Each kind of code test is one type: built from the wire form, keyed canonically,
writing its own runs and judging them; the verifier knows none of them by name."""

from __future__ import annotations

import pytest

from reward_sandbox import LANGUAGES, Limits
from reward_service.exceptions import Unsupported
from reward_service.verifiers.code.kinds import KINDS, AssertTests, CallTests, RunContext, StdioTests, typed_tests
from reward_service.verifiers.code.limits import CompileSettings
from reward_service.verifiers.code.verifier import _Attempt

WIRE = {
    "stdio": {"kind": "stdio", "cases": [{"input": "1", "output": "2"}, {"output": "3"}], "float_tolerance": None},
    "call": {"kind": "call", "fn_name": "f", "cases": [{"args": [1, [2]], "expected": {"a": 1}}]},
    "assert": {"kind": "assert", "code": "assert f(1) == 2", "entry_point": "f"},
}


def _context(language: str = "python") -> RunContext:
    return RunContext(LANGUAGES[language], Limits(), "/harness", "n" * 32)


@pytest.mark.parametrize("kind", sorted(WIRE))
def test_each_kind_round_trips_and_keys_canonically(kind: str) -> None:
    tests = typed_tests(WIRE[kind])
    assert type(tests) is KINDS[kind] and tests.kind == kind
    reordered = dict(reversed(list(WIRE[kind].items())))
    assert typed_tests(reordered).canonical() == tests.canonical()
    assert len(tests.runs(_context())) == tests.case_count()


def test_kinds_differ_in_their_keys() -> None:
    a = StdioTests.from_dict(WIRE["stdio"])
    b = StdioTests.from_dict({**WIRE["stdio"], "float_tolerance": 1e-6})
    assert a.canonical() != b.canonical()


def test_runner_kinds_refuse_a_language_without_a_runner() -> None:
    for tests in (CallTests.from_dict(WIRE["call"]), AssertTests.from_dict(WIRE["assert"])):
        with pytest.raises(Unsupported, match="use stdio tests"):
            tests.runs(_context("cpp"))


def test_a_call_test_never_accepts_an_assert_runners_word() -> None:
    """A runner that reports "passed" for a call test has not returned a value to compare."""
    tests = CallTests.from_dict(WIRE["call"])
    context = _context()
    run = {"exit_code": 0, "signal": None, "fd3": f'{{"nonce": "{context.nonce}", "outcome": "passed"}}'}
    assert tests.judge(0, run, context)["status"] == "runtime_error"
    returned = f'{{"nonce": "{context.nonce}", "outcome": "returned", "value": {{"a": 1}}}}'
    assert tests.judge(0, {**run, "fd3": returned}, context)["status"] == "accepted"
    assert tests.judge(0, {**run, "fd3": returned, "signal": 9}, context)["status"] == "runtime_error"


def test_an_outcome_without_this_attempts_nonce_does_not_count() -> None:
    tests = AssertTests.from_dict(WIRE["assert"])
    run = {"exit_code": 0, "signal": None, "fd3": '{"nonce": "forged", "outcome": "passed"}'}
    assert tests.judge(0, run, _context())["status"] == "runtime_error"


def test_every_attempt_has_its_own_nonce() -> None:
    from reward_service.verifiers.jobs import CodeJob

    class _Backend:
        harness_path = "/harness"
        per_session_uid = False

    class _Pool:
        backend = _Backend()

    job = CodeJob("def f(x): return x", LANGUAGES["python"], CallTests.from_dict(WIRE["call"]), Limits())
    first, second = (_Attempt(job, _Pool(), CompileSettings()) for _ in range(2))  # type: ignore[arg-type]
    assert first.nonce != second.nonce
    assert first.nonce in first.payload["runs"][0]["stdin"]


def test_an_oom_kill_during_a_run_is_memory_limit_even_when_the_program_exits_0() -> None:
    """A forked child killed by the session's memory cgroup (before the driver's 50 ms
    measurement saw it grow) while its parent prints the answer and exits 0: seen under load
    with tests/attacks/memory_forked_children.py, which then came back accepted."""
    from reward_service.verifiers.code.limits import limit_verdict

    run = {"exit_code": 0, "signal": None, "stdout": "done\n", "stderr": "", "oom_killed": True, "max_rss_kb": 9000}
    verdict = limit_verdict(run, Limits(memory_mb=256), LANGUAGES["python"])
    assert verdict is not None and verdict["status"] == "memory_limit"
