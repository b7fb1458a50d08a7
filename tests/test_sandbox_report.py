"""Combining the code workers' sandbox reports into one GET /languages answer."""

from __future__ import annotations

from reward_service.dispatch.sandbox_report import NO_CODE_WORKER, SandboxReport, combine


def test_a_language_is_listed_only_when_every_worker_runs_it() -> None:
    full = SandboxReport("docker", None, {"python": "Python 3.11.2", "cpp": "g++ 12.2", "javascript": "v18.19.0"})
    no_node = SandboxReport("docker", None, {"python": "Python 3.11.2", "cpp": "g++ 12.2"})
    combined = combine([full, no_node])
    assert combined == SandboxReport("docker", None, {"python": "Python 3.11.2", "cpp": "g++ 12.2"})


def test_mixed_backends_and_every_reason_are_shown() -> None:
    bwrap = SandboxReport("bwrap", None, {"python": "Python 3.11.2"})
    unsafe = SandboxReport("unsafe", "running code WITHOUT isolation", {"python": "Python 3.11.2"})
    combined = combine([bwrap, unsafe])
    assert combined.backend == "bwrap, unsafe"
    assert combined.reason == "running code WITHOUT isolation"


def test_no_worker_means_not_available_with_what_to_start() -> None:
    assert combine([]) == SandboxReport(None, NO_CODE_WORKER)


def test_reports_survive_the_trip_through_redis_as_json() -> None:
    report = SandboxReport("bwrap", None, {"python": "Python 3.11.2"})
    assert SandboxReport.from_json(report.to_json()) == report
