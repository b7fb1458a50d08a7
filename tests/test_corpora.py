"""Realistic workloads from ../shared/corpora, scored through POST /score."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import corpus_path, load_jsonl, make_settings, math_item, score
from fastapi.testclient import TestClient

from reward_service.app import create_app


@pytest.fixture(scope="module")
def corpus_client() -> Iterator[TestClient]:
    """The server's default math budget (5 s), not the short one of the timeout tests:
    a few of these expressions take SymPy over 2 s on a loaded 2-core machine, and a
    timeout here would be a verdict about the machine, not about the answer."""
    with TestClient(create_app(make_settings(math_timeout_s=5.0))) as test_client:
        yield test_client


# Every disagreement with the corpus's own grader, looked at one by one.
# idx 72: gold `10{,}000`; the responses box `10000`. The peer grader rejects the
# missing thousands separator; the answer is right, so we are.
QWEN_REVIEWED_DISAGREEMENTS = {72}


def test_qwen_corpus_agrees_with_its_grader(corpus_client: TestClient) -> None:
    rows = load_jsonl(corpus_path("qwen_math_cot_100.jsonl"))
    items, grader = [], []
    for row in rows:
        for k, (response, verdict) in enumerate(zip(row["code"], row["score"], strict=False)):
            items.append(math_item(f"{row['idx']}-{k}", response, row["gt"]))
            grader.append(verdict)
    results = score(corpus_client, items)
    assert len(results) == 800
    assert all(r["status"] in {"correct", "wrong", "no_answer"} for r in results)
    ours = [r["status"] == "correct" for r in results]
    agreement = sum(a == b for a, b in zip(ours, grader, strict=False)) / len(grader)
    assert agreement >= 0.99
    disagreeing = {int(r["id"].split("-")[0]) for r, a, b in zip(results, ours, grader, strict=False) if a != b}
    assert disagreeing <= QWEN_REVIEWED_DISAGREEMENTS, disagreeing
    # Integer answers are settled without SymPy, repeats are reused: few items need a worker.
    needed_worker = [
        r for r in results if not r["cached"] and not r["details"].get("fast_path") and r["status"] != "no_answer"
    ]
    assert len(needed_worker) < 400, len(needed_worker)


# math_verify_cases.jsonl holds a peer's test expectations. Where we differ, this says why.
# "peer" = the expectation encodes the peer's bug or a convention we reject on purpose;
# "ours" = a real limitation of this service, left for later.
MATH_VERIFY_CASE_DIFFERENCES = {
    5: "ours: '1000,99' (comma as decimal mark) reads as a list; ambiguous with pairs",
    6: "ours: gold '1,22' read as a list, same ambiguity",
    7: "ours: '2,74' comma decimal in prose",
    15: "ours: '1,000.99m²' - the unit suffix stops number extraction at 1,000",
    16: "ours: same as 15",
    31: "peer: expects no match for a formula split over lines; 9 is the answer",
    32: "peer: same as 31",
    35: "ours: an escaped \\$ inside a formula ends the span early",
    62: "peer: gold boxes '12 and 13' as text; prediction malformed",
    133: "peer: 0.33 for 1/3 is accepted only at 2-digit rounding; we round at 6",
    139: "peer: 2.6667 for 8/3, same rounding convention",
    156: "ours: the final-answer sentence gives the value inside prose",
    179: "peer: '32, 349' is the same thousands-separated number as 32349",
    186: "ours: a relation vs an 'x in interval' statement",
    190: "peer: gold of two boxes with junk between them",
    217: "peer: gold has unbalanced braces; we report an error instead of guessing",
    237: "ours: boxes separated by prose ('for part (a) and') are not joined",
    247: "ours: boxes without their 'y_1 =' labels",
    250: "ours: gold boxes separated by prose are not joined",
    253: "peer: f(x) vs f(y) accepted only in non-strict variable matching",
    263: "peer: 1+1/e for 1-1/e is a known false positive of that peer",
}


def test_math_verify_cases_differ_only_where_reviewed(corpus_client: TestClient) -> None:
    rows = load_jsonl(corpus_path("math_verify_cases.jsonl"))
    results = score(corpus_client, [math_item(str(i), row["pred"], row["gold"]) for i, row in enumerate(rows)])
    differing = {
        i
        for i, (row, result) in enumerate(zip(rows, results, strict=False))
        if (result["status"] == "correct") != bool(row["expected"])
    }
    assert differing == set(MATH_VERIFY_CASE_DIFFERENCES), (
        sorted(differing - set(MATH_VERIFY_CASE_DIFFERENCES)),
        sorted(set(MATH_VERIFY_CASE_DIFFERENCES) - differing),
    )
