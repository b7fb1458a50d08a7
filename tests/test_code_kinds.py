"""Each kind of code test is one type: the wire form itself, keyed canonically, writing
its own runs and judging them; the verifier knows none of them by name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reward_sandbox import LANGUAGES, Limits
from reward_service.app import create_app
from reward_service.exceptions import Unsupported
from reward_service.verifiers.code.kinds import KINDS, AssertTests, CallTests, RunContext, StdioTests, parse_tests
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
    tests = parse_tests(WIRE[kind])
    assert type(tests) is KINDS[kind] and tests.kind == kind
    reordered = dict(reversed(list(WIRE[kind].items())))
    assert parse_tests(reordered).canonical() == tests.canonical()
    assert len(tests.runs(_context())) == tests.case_count()


def test_the_wire_schema_embeds_every_kind() -> None:
    """Adding a kind is one module and one registration: the request schemas follow from
    ``KINDS``, with `kind` the discriminator every request must name."""
    components = create_app().openapi()["components"]["schemas"]
    for body in ("CodeItem", "ProblemBody"):
        tests = components[body]["properties"]["tests"]
        union = next(part for part in tests.get("anyOf", [tests]) if "oneOf" in part)
        assert union["discriminator"]["propertyName"] == "kind"
        mapping = union["discriminator"]["mapping"]
        # Every kind, and besides them only `io`: a dataset's shape that validation turns into a kind.
        assert mapping.pop("io") == "#/components/schemas/DatasetTests"
        assert mapping == {name: f"#/components/schemas/{kind.__name__}" for name, kind in KINDS.items()}
    for name, kind in KINDS.items():
        schema = components[kind.__name__]
        assert schema["required"][0] == "kind" and schema["properties"]["kind"] == {
            "type": "string",
            "const": name,
            "title": "Kind",
        }


def test_the_wire_rejects_tests_without_a_kind_it_knows() -> None:
    with pytest.raises(ValidationError, match="discriminator"):
        parse_tests({"cases": [{"output": "1"}]})
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        parse_tests({"kind": "bytes", "cases": [{"output": "1"}]})
    # Python callers may leave `kind` out: each kind knows its own.
    assert StdioTests.model_validate({"cases": [{"output": "1"}]}).kind == "stdio"


def test_kinds_differ_in_their_keys() -> None:
    a = StdioTests.model_validate(WIRE["stdio"])
    b = StdioTests.model_validate({**WIRE["stdio"], "float_tolerance": 1e-6})
    assert a.canonical() != b.canonical()


def test_runner_kinds_refuse_a_language_without_a_runner() -> None:
    for tests in (CallTests.model_validate(WIRE["call"]), AssertTests.model_validate(WIRE["assert"])):
        with pytest.raises(Unsupported, match="use stdio tests"):
            tests.runs(_context("cpp"))


def test_a_call_test_never_accepts_an_assert_runners_word() -> None:
    """A runner that reports "passed" for a call test has not returned a value to compare."""
    tests = CallTests.model_validate(WIRE["call"])
    context = _context()
    run = {"exit_code": 0, "signal": None, "fd3": f'{{"nonce": "{context.nonce}", "outcome": "passed"}}'}
    assert tests.judge(0, run, context)["status"] == "runtime_error"
    returned = f'{{"nonce": "{context.nonce}", "outcome": "returned", "value": {{"a": 1}}}}'
    assert tests.judge(0, {**run, "fd3": returned}, context)["status"] == "accepted"
    assert tests.judge(0, {**run, "fd3": returned, "signal": 9}, context)["status"] == "runtime_error"


def test_an_outcome_without_this_attempts_nonce_does_not_count() -> None:
    tests = AssertTests.model_validate(WIRE["assert"])
    run = {"exit_code": 0, "signal": None, "fd3": '{"nonce": "forged", "outcome": "passed"}'}
    assert tests.judge(0, run, _context())["status"] == "runtime_error"


def test_every_attempt_has_its_own_nonce() -> None:
    from reward_service.verifiers.jobs import CodeJob

    class _Backend:
        harness_path = "/harness"
        per_session_uid = False

    class _Pool:
        backend = _Backend()

    job = CodeJob("def f(x): return x", LANGUAGES["python"], CallTests.model_validate(WIRE["call"]), Limits())
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
