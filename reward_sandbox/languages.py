"""Compile and run recipes, one per language: data, not code paths."""

from __future__ import annotations

from dataclasses import dataclass, replace


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

    def renamed(self, stem: str) -> Language:
        """This recipe for a program whose files are named ``stem`` instead of the source file's
        own stem (a checker or an interactor beside the program)."""
        old, dot, extension = self.source_file.rpartition(".")
        source = f"{stem}{dot}{extension}" if dot else stem
        swaps = {self.source_file: source, old: stem, f"./{old}": f"./{stem}"} if dot else {}

        def swap(parts: tuple[str, ...] | None) -> tuple[str, ...] | None:
            return None if parts is None else tuple(swaps.get(part, part) for part in parts)

        return replace(self, source_file=source, compile=swap(self.compile), run=swap(self.run) or self.run)

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
