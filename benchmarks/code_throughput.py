"""Code throughput: per-submission overhead of each way to run untrusted code, in one run.

A batch of simple Python submissions (each reads two numbers, prints their sum;
one stdio test each; every program text distinct so nothing is deduplicated) is
judged, with the same concurrency, by:

- bare subprocess (the baseline, no isolation): `python3 main.py` per submission;
- the bwrap backend: the code verifier on a warm pool of bubblewrap sessions;
- the docker backend, warm pool, sessions reused while clean (the default);
- the docker backend, warm pool, a fresh container for every submission
  (started in the background, ahead of need);
- a fresh `docker run` per submission with the same lockdown flags (start-up on
  the critical path, what a naive integration does).

Then, per language (Python, PyPy, C++, C, Java, Go, Rust, JavaScript), a smaller batch
of the same program in that language, each compiled once where the language compiles:
items/s and the mean compile time, bare process vs bwrap vs docker (warm pool).

    python -m benchmarks.code_throughput [--items 200] [--concurrency 2] [--language-items 20]

Needs dockerd running and the sandbox image (scripts/provision.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from reward_sandbox import LANGUAGES, Limits, SandboxPool, create_backend
from reward_service.verifiers.code.kinds.stdio import StdioCase, StdioTests
from reward_service.verifiers.code.limits import CompileSettings
from reward_service.verifiers.code.verifier import verify_code
from reward_service.verifiers.jobs import CodeJob

IMAGE = "reward-sandbox:0.1.0"
# The interpreter the bwrap sandbox runs programs with, so the baseline pays the same start-up.
PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"
LIMITS = Limits(time_s=5.0, memory_mb=256, output_kb=64)
PYTHON_LANGUAGE = LANGUAGES["python"]


# The same program in each language: reads two numbers, prints their sum.
ADD_PROGRAMS = {
    "python": "a, b = map(int, input().split())\nprint(a + b)",
    "pypy": "a, b = map(int, input().split())\nprint(a + b)",
    "cpp": "#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << std::endl; }",
    "c": '#include <stdio.h>\nint main(void) { long long a, b; scanf("%lld %lld", &a, &b); printf("%lld\\n", a + b); }',
    "java": (
        "import java.util.*;\npublic class Main { public static void main(String[] x) {"
        " Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }"
    ),
    "go": 'package main\nimport "fmt"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b) }',
    "rust": (
        "use std::io::Read;\nfn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap();"
        ' let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!("{}", v[0] + v[1]); }'
    ),
    "javascript": (
        "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);"
    ),
}
# What the sandbox's PATH holds, so the bare baseline runs the same toolchains.
SANDBOX_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def language_submissions(language: str, count: int) -> list[tuple[str, str, str]]:
    """The language's program, each copy distinct (a trailing comment) so none is deduplicated."""
    comment = "#" if language in ("python", "pypy") else "//"
    return [
        (f"{ADD_PROGRAMS[language]}\n{comment} submission {index}\n", f"{index} {index * 3}", str(index * 4))
        for index in range(count)
    ]


def submissions(count: int) -> list[tuple[str, str, str]]:
    """(program, stdin, expected stdout) triples, each program text distinct."""
    return [
        (
            f"a, b = map(int, input().split())\nprint(a + b)  # submission {index}\n",
            f"{index} {index * 3}",
            str(index * 4),
        )
        for index in range(count)
    ]


async def bounded(concurrency: int, jobs: list[Callable[[], Awaitable[bool]]]) -> list[bool]:
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[bool]]) -> bool:
        async with gate:
            return await job()

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def run_bare(batch: list[tuple[str, str, str]], concurrency: int) -> list[bool]:
    work = Path(tempfile.mkdtemp(prefix="bench-bare-"))

    async def judge(index: int, program: str, given: str, expected: str) -> bool:
        folder = work / str(index)
        folder.mkdir()
        (folder / "main.py").write_text(program)
        process = await asyncio.create_subprocess_exec(
            PYTHON, "main.py", cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        out, _ = await asyncio.wait_for(process.communicate(given.encode()), LIMITS.time_s)
        return out.decode().strip() == expected

    return await bounded(concurrency, [lambda i=i, s=s: judge(i, *s) for i, s in enumerate(batch)])


async def run_pool(batch: list[tuple[str, str, str]], backend: str, concurrency: int, recycle: str) -> list[bool]:
    pool = SandboxPool(create_backend(backend, Limits(), image=IMAGE), concurrency, recycle)  # type: ignore[arg-type]
    await pool.start()
    if pool.unavailable:
        raise SystemExit(f"{backend}: {pool.unavailable}")
    # Let the pool finish warming, as it would have long before a real batch arrives.
    while pool.warm < min(concurrency, 2):
        await asyncio.sleep(0.05)
    try:

        async def judge(program: str, given: str, expected: str) -> bool:
            tests = StdioTests(cases=[StdioCase(input=given, output=expected)])
            verdict = await verify_code(CodeJob(program, PYTHON_LANGUAGE, tests, LIMITS), pool, CompileSettings())
            return verdict.status == "accepted"

        return await bounded(concurrency, [lambda s=s: judge(*s) for s in batch])
    finally:
        await pool.close()


async def run_fresh_docker(batch: list[tuple[str, str, str]], concurrency: int) -> list[bool]:
    lockdown = [
        "--rm", "-i", "--network", "none", "--read-only",
        "--tmpfs", "/box:size=64m,exec,uid=65534,gid=65534", "--tmpfs", "/tmp:size=64m,uid=65534,gid=65534",
        "--memory", "320m", "--pids-limit", "72", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "--user", "65534:65534", "--log-driver", "none",
    ]  # fmt: skip

    async def judge(program: str, given: str, expected: str) -> bool:
        request = {
            "nonce": "n",
            "files": {"main.py": program},
            "runs": [{"argv": ["python3", "main.py"], "stdin": given}],
            "limits": {
                "time_s": LIMITS.time_s,
                "wall_s": 2 * LIMITS.time_s + 1,
                "memory_mb": 256,
                "output_kb": 64,
                "file_kb": 1024,
                "address_space_mb": 320,
                "processes": None,
            },
        }
        process = await asyncio.create_subprocess_exec(
            "docker", "run", *lockdown, IMAGE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        out, _ = await process.communicate((json.dumps(request) + "\n").encode())
        reply = json.loads(out.decode().splitlines()[0])
        # The driver sends a run's output as base64 (stdout_b64): programs may print any bytes.
        return base64.b64decode(reply["runs"][0]["stdout_b64"]).decode().strip() == expected

    return await bounded(concurrency, [lambda s=s: judge(*s) for s in batch])


async def run_language_bare(
    language: str, batch: list[tuple[str, str, str]], concurrency: int
) -> tuple[float, list[float]]:
    """Compile (where the language does) and run each program as plain processes: the seconds
    it took, and the compile times."""
    work = Path(tempfile.mkdtemp(prefix=f"bench-{language}-"))
    compile_times: list[float] = []

    async def judge(index: int, program: str, given: str, expected: str) -> bool:
        recipe = LANGUAGES[language].for_source(program)
        folder = work / str(index)
        folder.mkdir()
        (folder / recipe.source_file).write_text(program)
        env = {**SANDBOX_ENV, "HOME": str(folder)}
        if recipe.compile:
            started = time.perf_counter()
            compiler = await asyncio.create_subprocess_exec(
                *recipe.compile, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            if await compiler.wait() != 0:
                return False
            compile_times.append(time.perf_counter() - started)
        process = await asyncio.create_subprocess_exec(
            *recipe.run_argv(LIMITS.memory_mb),
            cwd=folder,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(process.communicate(given.encode()), 30)
        return out.decode().strip() == expected

    started = time.perf_counter()
    verdicts = await bounded(concurrency, [lambda i=i, s=s: judge(i, *s) for i, s in enumerate(batch)])
    elapsed = time.perf_counter() - started
    if not all(verdicts):
        raise SystemExit(f"{language}, bare: wrong verdicts")
    return elapsed, compile_times


async def run_language_pool(
    language: str, batch: list[tuple[str, str, str]], backend: str, concurrency: int
) -> tuple[float, list[float]]:
    """The batch on a warm pool (timed once warm, as a real batch finds it): seconds, compile times."""
    pool = SandboxPool(create_backend(backend, Limits(), image=IMAGE), concurrency, "dirty")  # type: ignore[arg-type]
    await pool.start()
    if pool.unavailable:
        raise SystemExit(f"{backend}: {pool.unavailable}")
    while pool.warm < min(concurrency, 2):
        await asyncio.sleep(0.05)
    compile_times: list[float] = []
    try:

        async def judge(program: str, given: str, expected: str) -> bool:
            tests = StdioTests(cases=[StdioCase(input=given, output=expected)])
            job = CodeJob(program, LANGUAGES[language], tests, LIMITS)
            verdict = await verify_code(job, pool, CompileSettings())
            if "compile_s" in verdict.details:
                compile_times.append(float(verdict.details["compile_s"]))
            return verdict.status == "accepted"

        started = time.perf_counter()
        verdicts = await bounded(concurrency, [lambda s=s: judge(*s) for s in batch])
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    if not all(verdicts):
        raise SystemExit(f"{language}, {backend}: wrong verdicts")
    return elapsed, compile_times


def language_table(languages: list[str], count: int, concurrency: int) -> None:
    print(f"\n{count} submissions per language, one stdio test each, {concurrency} at a time\n")
    print(f"{'language':12} {'path':8} {'items/s':>8} {'compile s':>10} {'/ bare':>7}")
    for language in languages:
        batch = language_submissions(language, count)
        bare_rate = 0.0
        for path in ("bare", "bwrap", "docker"):
            if path == "bare":
                elapsed, compile_times = asyncio.run(run_language_bare(language, batch, concurrency))
            else:
                elapsed, compile_times = asyncio.run(run_language_pool(language, batch, path, concurrency))
            rate = len(batch) / elapsed
            bare_rate = bare_rate or rate
            compile_s = f"{sum(compile_times) / len(compile_times):10.2f}" if compile_times else f"{'-':>10}"
            print(f"{language:12} {path:8} {rate:8.1f} {compile_s} {rate / bare_rate:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--language-items", type=int, default=20, help="per language; 0 skips the language table")
    parser.add_argument("--languages", default=",".join(ADD_PROGRAMS), help="comma-separated names")
    args = parser.parse_args()
    batch = submissions(args.items)

    paths: dict[str, Callable[[], Awaitable[list[bool]]]] = {
        "bare subprocess (baseline)": lambda: run_bare(batch, args.concurrency),
        "bwrap backend, warm pool": lambda: run_pool(batch, "bwrap", args.concurrency, "dirty"),
        "docker backend, warm pool (reuse while clean)": lambda: run_pool(batch, "docker", args.concurrency, "dirty"),
        "docker backend, warm pool (fresh container each)": lambda: run_pool(
            batch, "docker", args.concurrency, "always"
        ),
        "fresh docker run per submission": lambda: run_fresh_docker(batch, args.concurrency),
    }
    rates: dict[str, float] = {}
    print(f"{args.items} Python submissions, one stdio test each, {args.concurrency} at a time\n")
    print(f"{'path':52} {'seconds':>8} {'items/s':>8} {'ms/item':>8}  correct")
    for name, path in paths.items():
        started = time.perf_counter()
        verdicts = asyncio.run(path())
        elapsed = time.perf_counter() - started
        rates[name] = len(batch) / elapsed
        print(
            f"{name:52} {elapsed:8.2f} {rates[name]:8.1f} {1000 * elapsed / len(batch):8.1f}  {sum(verdicts)}/{len(batch)}"
        )
        if sum(verdicts) != len(batch):
            sys.exit(f"{name}: wrong verdicts")

    baseline = rates["bare subprocess (baseline)"]
    pool = rates["docker backend, warm pool (reuse while clean)"]
    print()
    print(
        f"bwrap / bare:                         {rates['bwrap backend, warm pool'] / baseline:.2f}  (target >= {1 / 1.6:.2f})"
    )
    print(f"docker pool / bare:                   {pool / baseline:.2f}  (target >= 0.33)")
    print(
        f"docker pool / fresh docker run:       {pool / rates['fresh docker run per submission']:.1f}x (target >= 4x)"
    )
    print(
        "docker pool, fresh container each / fresh docker run: "
        f"{rates['docker backend, warm pool (fresh container each)'] / rates['fresh docker run per submission']:.1f}x"
    )
    if args.language_items > 0:
        language_table([name for name in args.languages.split(",") if name], args.language_items, args.concurrency)


if __name__ == "__main__":
    main()
