"""Compile and run recipes, one per language: data, not code paths."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Language:
    name: str
    source_file: str
    run: tuple[str, ...]
    compile: tuple[str, ...] | None = None
    aliases: tuple[str, ...] = ()
    # Runtimes that reserve huge virtual address space (V8) cannot live under
    # RLIMIT_AS; they get a heap flag and the container's memory cgroup instead.
    address_space_limit: bool = True
    # Test kinds that need a harness inside the sandbox (call, assert), if any.
    runner: tuple[str, ...] | None = None
    probe: tuple[str, ...] = ()
    # What to install on a Debian host (or in the sandbox image) when the probe fails.
    install: str = ""
    # Memory the runtime needs beside the program's own (a JVM's code cache, metaspace and
    # threads, when the heap is the item's whole limit): allowed on top of the limit.
    runtime_memory_mb: int = 0
    # Where the source names its own file (Java's public class): a pattern whose group is
    # the stem, used when the source holds exactly one match.
    named_by: str | None = None

    def renamed(self, stem: str) -> Language:
        """This recipe for a program whose files are named ``stem`` instead of the source file's
        own stem (a checker or an interactor beside the program)."""
        old, dot, extension = self.source_file.rpartition(".")
        source = f"{stem}{dot}{extension}" if dot else stem
        swaps = {self.source_file: source, old: stem, f"./{old}": f"./{stem}"} if dot else {}

        def swap(parts: tuple[str, ...] | None) -> tuple[str, ...] | None:
            return None if parts is None else tuple(swaps.get(part, part) for part in parts)

        return replace(self, source_file=source, compile=swap(self.compile), run=swap(self.run) or self.run)

    def for_source(self, source: str, default_stem: str | None = None) -> Language:
        """This recipe for ``source``: renamed to the stem the source names for itself where the
        language needs that (a Java file is named after its public class), else ``default_stem``
        (a judge's), else unchanged."""
        if self.named_by is not None:
            stems = set(re.findall(self.named_by, source, re.MULTILINE))
            if len(stems) == 1:
                return self.renamed(stems.pop())
            return self
        return self.renamed(default_stem) if default_stem else self

    def step_limits(self, limits: Mapping[str, Any], *, runtime_memory: bool) -> dict[str, Any]:
        """The driver limits of a step this language's runtime or toolchain runs (a program,
        a judge, a compiler): with ``runtime_memory``, the runtime's own memory allowed on top
        of the step's; and no RLIMIT_AS where the runtime reserves far more address space than
        it uses (a JVM, Go): its measured memory bounds it instead."""
        adapted = dict(limits)
        if runtime_memory and self.runtime_memory_mb:
            adapted["memory_mb"] = int(adapted["memory_mb"]) + self.runtime_memory_mb
        if not self.address_space_limit:
            adapted["address_space_mb"] = None
        return adapted

    def run_argv(self, memory_mb: int) -> list[str]:
        return [part.format(memory_mb=memory_mb) for part in self.run]

    def runner_argv(self, memory_mb: int, harness: str) -> list[str] | None:
        if self.runner is None:
            return None
        return [part.format(memory_mb=memory_mb, harness=harness) for part in self.runner]


LANGUAGES: dict[str, Language] = {
    language.name: language
    for language in (
        Language(
            name="python",
            source_file="main.py",
            # Isolated mode (-I): no user site directory, no PYTHON* variables, no script
            # directory on sys.path; nothing a program leaves behind is loaded by a later run.
            run=("python3", "-I", "main.py"),
            aliases=("python3", "py", "py3"),
            runner=("python3", "-I", "{harness}/py_runner.py"),
            probe=("python3", "--version"),
            install="apt-get install python3",
        ),
        Language(
            name="cpp",
            source_file="main.cpp",
            compile=("g++", "-O2", "-std=gnu++17", "-pipe", "-o", "main", "main.cpp"),
            run=("./main",),
            aliases=("c++", "cc", "cxx", "cpp17", "cpp20"),
            probe=("g++", "--version"),
            install="apt-get install g++",
        ),
        Language(
            name="c",
            source_file="main.c",
            compile=("gcc", "-O2", "-std=gnu17", "-pipe", "-o", "main", "main.c", "-lm"),
            run=("./main",),
            aliases=("gcc", "c11", "c17"),
            probe=("gcc", "--version"),
            install="apt-get install gcc libc6-dev",
        ),
        Language(
            name="java",
            source_file="Main.java",
            # javac is a JVM too: a bounded heap, and one JIT tier (it runs for a second).
            compile=(
                "javac",
                "-encoding",
                "UTF-8",
                "-J-Xmx512m",
                "-J-XX:+UseSerialGC",
                "-J-XX:TieredStopAtLevel=1",
                "-J-XX:-UsePerfData",
                "Main.java",
            ),
            # The heap is the item's memory limit, most of it old generation (NewRatio=5, as
            # Codeforces runs Java) so that one big array fits; a serial collector and two JIT
            # threads keep the JVM within the process limit; a 64 MB stack for deep recursion;
            # no perf data file in /tmp.
            run=(
                "java",
                "-Xmx{memory_mb}m",
                "-Xss64m",
                "-XX:NewRatio=5",
                "-XX:+UseSerialGC",
                "-XX:CICompilerCount=2",
                "-XX:-UsePerfData",
                "-cp",
                ".",
                "Main",
            ),
            aliases=("java17", "jdk"),
            # A JVM reserves gigabytes of address space up front: its heap flag and the
            # measured memory of its processes bound it instead of RLIMIT_AS.
            address_space_limit=False,
            runtime_memory_mb=96,
            named_by=r"^\s*public\s+(?:final\s+|abstract\s+|strictfp\s+)*class\s+([A-Za-z_$][A-Za-z0-9_$]*)",
            probe=("javac", "-version"),
            install="apt-get install openjdk-17-jdk-headless",
        ),
        Language(
            name="go",
            source_file="main.go",
            compile=("go", "build", "-o", "main", "main.go"),
            # Go starts a thread per CPU it may use: bounded, so that a program on a many-core
            # host stays within the process limit.
            run=("env", "GOMAXPROCS=2", "./main"),
            aliases=("golang",),
            # Go's runtime reserves its heap's address space at start (over 300 MB before the
            # first allocation): the measured memory of the processes bounds it instead.
            address_space_limit=False,
            probe=("go", "version"),
            install="apt-get install golang-go",
        ),
        Language(
            name="rust",
            source_file="main.rs",
            compile=("rustc", "--edition", "2021", "-O", "-o", "main", "main.rs"),
            run=("./main",),
            aliases=("rs",),
            probe=("rustc", "--version"),
            install="apt-get install rustc",
        ),
        Language(
            name="pypy",
            source_file="main.py",
            run=("pypy3", "-I", "main.py"),
            aliases=("pypy3",),
            runner=("pypy3", "-I", "{harness}/py_runner.py"),
            # Its --version names CPython's version first; this names PyPy's.
            probe=(
                "pypy3",
                "-c",
                "import sys; v = sys.pypy_version_info; "
                "print(f'PyPy {v.major}.{v.minor}.{v.micro} (Python {sys.version.split()[0]})')",
            ),
            install="apt-get install pypy3",
        ),
        Language(
            name="javascript",
            source_file="main.js",
            run=("node", "--max-old-space-size={memory_mb}", "main.js"),
            aliases=("js", "node", "nodejs"),
            address_space_limit=False,
            # The program in a process of its own, the tests in an undumpable judge (js_launch.py).
            runner=("python3", "-I", "{harness}/js_launch.py", "{memory_mb}"),
            probe=("node", "--version"),
            install="apt-get install nodejs",
        ),
    )
}

_BY_ALIAS = {alias: language for language in LANGUAGES.values() for alias in (language.name, *language.aliases)}


def resolve_language(name: str) -> Language | None:
    return _BY_ALIAS.get(name.strip().lower())
