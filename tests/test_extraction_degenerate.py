"""Answer and program extraction stay linear on degenerate completions (issue 13, item 10).

Real rollouts of a stuck policy repeat one fragment for hundreds of kilobytes. The
regular expressions extraction used before backtracked from every unclosed
opener to the end of the text (quadratic; 19 s to 165 s for 200 KB here) and held
the interpreter lock while doing it. Each case below is 200 KB of one fragment;
the bound is generous (linear scans take milliseconds) so a slow CI machine
passes, while a quadratic scan takes tens of seconds or more.
"""

from __future__ import annotations

import random
import re
import time

import pytest

from reward_service.verifiers.code.extract import extract_program
from reward_service.verifiers.math.extract import extract_answer, reference_answer
from reward_service.verifiers.scan import BraceMatcher, fenced_blocks, matching_braces, math_spans, tagged_blocks

SIZE = 200_000
BOUND_S = 2.0

FRAGMENTS = [
    "(",
    "\\(",
    "\\[",
    "$",
    "$$",
    "\\boxed{",
    "\\boxed{1}",
    "\\boxed{1} ",
    "\\boxed",
    "\\boxed ",
    "{",
    "}",
    "<answer>",
    "</answer>",
    "<answer>(",
    "```\n",
    "```python\n",
    "~~~\n",
    "```",
    " ",
    "\t",
    "\n",
    "1",
    "1,",
    "1,000",
    "1.",
    "1/",
    "1 / ",
    "-",
    "the ",
    "answer ",
    "answer is ",
    "final answer",
    "\\text{ ",
    "\\text{",
    "\\quad",
    "\\boxed{1}\\text{ ",
    "\\boxed{1}, ",
    "a",
    "\\",
    "%",
    "</think>",
    "<think>",
    "$1$",
    "\\(1",
]


def _degenerate(fragment: str) -> str:
    return (fragment * (SIZE // len(fragment) + 1))[:SIZE]


@pytest.mark.parametrize("fragment", FRAGMENTS, ids=repr)
def test_extraction_is_linear_on_repeated_fragments(fragment: str) -> None:
    text = _degenerate(fragment)
    started = time.perf_counter()
    for mode in ("boxed", "any"):
        extract_answer(text, mode, last_number_fallback=True)  # type: ignore[arg-type]
    reference_answer(text)
    extract_program(text, None)
    extract_program("```python\n" + text, "python")
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND_S, f"{fragment!r} x {SIZE}: {elapsed:.2f} s"


def test_prefix_then_degenerate_tail() -> None:
    # A real answer followed by a stuck tail: still found, still fast.
    text = "So the answer is $\\boxed{42}$.\n" + _degenerate("\\boxed{")
    started = time.perf_counter()
    extraction = extract_answer(text, "boxed", last_number_fallback=False)
    assert time.perf_counter() - started < BOUND_S
    assert extraction is not None and extraction.answer == "42"


# The lazy regular expressions the scanners replace, as oracles on short texts.
_MATH_SPAN_RE = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
_TAG_RE = re.compile(r"<answer>(.*?)</answer>", re.DOTALL | re.IGNORECASE)
# A fence is its whole run of backticks or tildes (the lookaheads stop the regex
# from reading "~~~~ x" as the fence "~~~" with the info string "~ x").
_FENCE_RE = re.compile(
    r"^[ \t]*(?P<fence>`{3,}(?!`)|~{3,}(?!~))[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^[ \t]*(?P=fence)[ \t]*$",
    re.DOTALL | re.MULTILINE,
)


def _random_text(rng: random.Random, alphabet: list[str]) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))


def test_math_spans_match_the_lazy_regex() -> None:
    rng = random.Random(13)
    alphabet = ["$", "$$", "\\(", "\\)", "\\[", "\\]", "\\", "(", ")", "x", " ", "\n"]
    for _ in range(20_000):
        text = _random_text(rng, alphabet)
        expected = [(m.end(), next(g for g in m.groups() if g is not None)) for m in _MATH_SPAN_RE.finditer(text)]
        got = [(span.end, text[span.start : span.stop]) for span in math_spans(text)]
        assert got == expected, repr(text)


def test_tagged_blocks_match_the_lazy_regex() -> None:
    rng = random.Random(14)
    alphabet = ["<answer>", "</answer>", "<ANSWER>", "</Answer>", "x", "<", ">"]
    opener, closer = re.compile("<answer>", re.I), re.compile("</answer>", re.I)
    for _ in range(20_000):
        text = _random_text(rng, alphabet)
        got = [text[s.start : s.stop] for s in tagged_blocks(text, opener, closer)]
        assert got == _TAG_RE.findall(text), text


def test_fenced_blocks_match_the_lazy_regex() -> None:
    rng = random.Random(15)
    alphabet = ["```", "````", "~~~", "py", " ", "\n", "x", "`", "\t"]
    for _ in range(20_000):
        text = _random_text(rng, alphabet)
        expected = [(m.group("info"), m.group("body")) for m in _FENCE_RE.finditer(text)]
        got = [(f.info, f.body) for f in fenced_blocks(text)]
        assert got == expected, repr(text)


def test_matching_braces_honours_escapes() -> None:
    text = "{a\\{b}{c{d}}{"
    assert matching_braces(text) == {0: 5, 8: 10, 6: 11}


def test_a_degenerate_batch_does_not_stall_other_requests(live_server: str) -> None:
    """While a batch of stuck rollouts is read, the server still answers at once."""
    import threading

    import httpx

    fragments = ["\\boxed{", "(", "$", "```\n", "<answer>", " / "]
    items = [
        {"id": f"m{i}", "task": "math", "response": _degenerate(f), "ground_truth": "2"}
        for i, f in enumerate(fragments)
    ]
    items += [
        {
            "id": f"c{i}",
            "task": "code",
            "response": _degenerate(f),
            "tests": {"kind": "stdio", "cases": [{"input": "", "output": "1"}]},
        }
        for i, f in enumerate(fragments)
    ]
    outcome: dict[str, object] = {}

    def send() -> None:
        started = time.perf_counter()
        outcome["response"] = httpx.post(f"{live_server}/score", json={"items": items}, timeout=120)
        outcome["seconds"] = time.perf_counter() - started

    sender = threading.Thread(target=send)
    sender.start()
    slowest = 0.0
    while sender.is_alive():
        started = time.perf_counter()
        assert httpx.get(f"{live_server}/healthz", timeout=30).status_code == 200
        slowest = max(slowest, time.perf_counter() - started)
        time.sleep(0.02)
    sender.join()
    response = outcome["response"]
    assert isinstance(response, httpx.Response) and response.status_code == 200, response
    results = response.json()["results"]
    assert all(
        r["status"] in ("no_answer", "no_code", "wrong", "compile_error", "runtime_error", "wrong_answer")
        for r in results
    ), [(r["id"], r["status"], r["details"].get("error")) for r in results]
    assert outcome["seconds"] < 30, outcome
    assert slowest < BOUND_S, slowest


def _naive_close(text: str, brace: int) -> int | None:
    depth, i = 0, brace
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def test_brace_matching_agrees_with_a_plain_scan() -> None:
    rng = random.Random(16)
    for _ in range(20_000):
        text = _random_text(rng, ["{", "}", "\\", "\\{", "\\}", "\\\\", "x"])
        opens = [i for i, ch in enumerate(text) if ch == "{"]
        pairs = matching_braces(text)
        matcher = BraceMatcher(text)
        for i in opens:
            if text[:i].endswith("\\") and (len(text[:i]) - len(text[:i].rstrip("\\"))) % 2 == 1:
                continue  # an escaped brace opens nothing
            assert matcher.close(i) == _naive_close(text, i) == pairs.get(i), (text, i)
