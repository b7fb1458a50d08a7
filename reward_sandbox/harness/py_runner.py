"""Runs the `call` and `assert` tests of a Python program, with the program in another process.

The request arrives on stdin; the outcome goes to file descriptor RESULT_FD,
tagged with the request's nonce, never to stdout, which belongs to the program.

The program never shares an interpreter with the tests. Before reading anything,
this process forks the program's process (`py_program_host.serve`), which so
holds no secret; then it reads the request and the test code (and deletes the
test file), makes itself undumpable (nothing of the same uid can read its memory
or descriptors; where the kernel refuses, the outcome is `harness_error` and the
program is never loaded), and has the child load the program. The tests call the
program's functions over a pipe: arguments go there and only plain data comes
back (None, bool, numbers, str, bytes, and lists, tuples, dicts and sets of
them). So an object whose `__eq__` always answers True cannot come back, a
builtin the program patches is patched in its own process only, and the program
can neither forge the outcome, nor read the expected values in the tests, nor
find the nonce. Arguments the function mutates (lists, dicts, sets) are copied
back, so in-place tests still work.

A program that exits or is killed before the tests finish leaves no pass: the
host reads a missing outcome as a failure.
"""

from __future__ import annotations

import ast
import atexit
import builtins
import importlib
import io
import json
import os
import pickle
import select
import signal
import sys
import time
import traceback
from typing import Any, BinaryIO

# Runners start isolated (-I), so the script's directory is not on sys.path by itself.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import py_program_host  # noqa: E402  (beside this file)
import undumpable  # noqa: E402

RESULT_FD = int(os.environ.get("RESULT_FD", "3"))

# Names a match statement binds (Python 3.10+; PyPy 3.9 has no match statement).
_MATCH_CAPTURES = tuple(getattr(ast, name) for name in ("MatchAs", "MatchStar") if hasattr(ast, name))


class ProgramEnded(BaseException):
    """The program's process exited or died: no test after this can pass.
    A BaseException, so that test code catching Exception cannot swallow it."""


class NotPlainData(BaseException):
    """The program answered with something other than plain data (or refused to answer)."""


class _PlainUnpickler(pickle.Unpickler):
    # Plain data needs no class lookup: refusing every one means nothing the
    # program sends can construct an object or run code here.
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name}")


def _report(outcome: dict[str, Any]) -> None:
    data = (json.dumps(outcome, default=repr) + "\n").encode()
    while data:
        data = data[os.write(RESULT_FD, data) :]


def _exception_class(name: str) -> type[Exception]:
    found = getattr(builtins, name, None)
    if isinstance(found, type) and issubclass(found, Exception):
        return found
    return RuntimeError


def _copy_back(sent: Any, returned: Any) -> None:
    if type(sent) is list and type(returned) is list:
        sent[:] = returned
    elif type(sent) is dict and type(returned) is dict:
        sent.clear()
        sent.update(returned)
    elif type(sent) is set and type(returned) is set:
        sent.clear()
        sent.update(returned)
    elif type(sent) is bytearray and type(returned) is bytearray:
        sent[:] = returned


class Program:
    """The program's process, and calls of its functions."""

    def __init__(self) -> None:
        # Forked before the request is read: the child's memory holds no nonce and no
        # tests, and it is spared an interpreter start-up.
        to_host_r, to_host_w = os.pipe()
        from_host_r, from_host_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            _become_program_host(os.fdopen(to_host_r, "rb"), os.fdopen(from_host_w, "wb"), (to_host_w, from_host_r))
        os.close(to_host_r)
        os.close(from_host_w)
        self._out: BinaryIO = os.fdopen(to_host_w, "wb")
        self._in: BinaryIO = os.fdopen(from_host_r, "rb")
        self.callables: list[str] = []
        self.modules: dict[str, str] = {}
        self.imported: dict[str, tuple[str, str]] = {}

    def load(self, source_path: str) -> None:
        self._write(pickle.dumps(("load", source_path), protocol=5))
        first = self._receive()
        if first[0] != "ready" or len(first) != 4:
            self._raise(first)
        self.callables = [str(name) for name in first[1]]
        self.modules = {str(k): str(v) for k, v in dict(first[2]).items()}
        self.imported = {str(k): (str(v[0]), str(v[1])) for k, v in dict(first[3]).items()}

    def close(self) -> None:
        # EOF ends the program's process; it has a moment for its own exit handlers.
        for stream in (self._out, self._in):
            try:
                stream.close()
            except OSError:
                pass
        try:
            pidfd = os.pidfd_open(self.pid)
        except (OSError, AttributeError):  # PyPy has no pidfd_open
            pidfd = None
        if pidfd is not None:
            ended = bool(select.select([pidfd], [], [], 1.0)[0])
            os.close(pidfd)
        else:
            time.sleep(0.05)
            ended = os.waitpid(self.pid, os.WNOHANG)[0] != 0
        if not ended:
            os.kill(self.pid, signal.SIGKILL)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass

    def _receive(self) -> tuple[Any, ...]:
        data = py_program_host.read_frame(self._in)
        if data is None:
            raise ProgramEnded("the program's process ended before the tests finished")
        try:
            message = _PlainUnpickler(io.BytesIO(data)).load()
        except Exception as exc:
            raise NotPlainData(f"the program answered with something that is not plain data ({exc})") from None
        if not isinstance(message, tuple) or not message or not isinstance(message[0], str):
            raise NotPlainData("the program's process answered out of protocol")
        return message

    def _raise(self, message: tuple[Any, ...]) -> Any:
        kind = message[0]
        if kind == "exited":
            raise SystemExit(f"the program called exit({message[1]}) before the tests finished")
        if kind == "raised" and len(message) == 3:
            raise _exception_class(str(message[1]))(str(message[2]))
        if kind == "not_plain" and len(message) == 2:
            raise NotPlainData(f"the function returned {message[1]}, not plain data")
        raise NotPlainData("the program's process answered out of protocol")

    def _write(self, data: bytes) -> None:
        try:
            py_program_host.write_frame(self._out, data)
        except BrokenPipeError:
            raise ProgramEnded("the program's process ended before the tests finished") from None

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        try:
            request = pickle.dumps(("call", name, args, kwargs), protocol=5)
        except Exception as exc:
            raise TypeError(f"cannot pass these arguments to the program's {name}: {exc}") from None
        self._write(request)
        answer = self._receive()
        if answer[0] != "returned" or len(answer) != 4:
            return self._raise(answer)
        _, value, args_after, kwargs_after = answer
        if type(args_after) is tuple and len(args_after) == len(args):
            for sent, returned in zip(args, args_after, strict=False):
                _copy_back(sent, returned)
        if type(kwargs_after) is dict:
            for key, sent in kwargs.items():
                _copy_back(sent, kwargs_after.get(key))
        return value

    def function(self, name: str) -> Any:
        def remote(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, args, kwargs)

        remote.__name__ = remote.__qualname__ = name
        return remote


def _become_program_host(inp: BinaryIO, out: BinaryIO, parent_ends: tuple[int, ...]) -> None:
    """The forked child: drop everything of the runner's, serve the program, never return."""
    status = 0
    try:
        for fd in (*parent_ends, RESULT_FD):
            os.close(fd)
        os.environ.pop("RESULT_FD", None)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        py_program_host.serve(inp, out)
        atexit._run_exitfuncs()
    except BaseException:
        status = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        # Never back into the runner's frames: this process is the program's.
        os._exit(status)


def _run(program: Program, request: dict[str, Any], nonce: str) -> dict[str, Any]:
    # The tests come in the request, never as a file the program could read.
    test_source = str(request["test_code"]) if request["mode"] == "assert" else None
    try:
        program.load(request["program"])
        if request["mode"] == "call":
            args = request["args"]
            function = program.function(request["fn_name"])
            value = function(**args) if isinstance(args, dict) else function(*args)
            return {"nonce": nonce, "outcome": "returned", "value": value}
        assert test_source is not None
        entry_point = request.get("entry_point")
        bound = _names_bound(test_source)
        namespace = _test_namespace(program, bound, entry_point)
        exec(compile(test_source, "test.py", "exec"), namespace)
        # Only a check() the tests define: a program's own check() would judge itself.
        if entry_point and "check" in bound and callable(namespace.get("check")):
            namespace["check"](program.function(entry_point))
        return {"nonce": nonce, "outcome": "passed"}
    finally:
        program.close()


def _names_bound(source: str) -> set[str]:
    """Every name the test code binds anywhere (assigns, defines, imports, catches)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, _MATCH_CAPTURES) and node.name:
            bound.add(node.name)
    return bound


def _test_namespace(program: Program, bound: set[str], entry_point: str | None) -> dict[str, Any]:
    """What the tests see of the program: the entry point and its other functions, as
    remote calls, and the real library modules and objects it imported (tests often
    lean on the prompt's imports). Never under a builtin's name or a name the tests
    bind themselves: `def abs(x): return 0` or `abs = math.isnan` must not change
    what `abs` means in `assert abs(candidate(x) - y) < 1e-6`."""
    blocked = set(dir(builtins)) | bound
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    for alias, module in program.modules.items():
        if alias in blocked:
            continue
        try:
            namespace[alias] = importlib.import_module(module)
        except Exception:
            pass
    for alias, (module, qualname) in program.imported.items():
        if alias in blocked or alias == entry_point:
            continue
        try:
            value: Any = importlib.import_module(module)
            for part in qualname.split("."):
                value = getattr(value, part)
        except Exception:
            continue
        namespace[alias] = value
    namespace.update({name: program.function(name) for name in program.callables if name not in blocked})
    if entry_point:
        # Called in the program's process, whatever the program bound it to.
        namespace[entry_point] = program.function(entry_point)
    return namespace


def main() -> None:
    program = Program()
    request = json.loads(sys.stdin.read())
    nonce = request.pop("nonce")
    refused = undumpable.make_undumpable()
    if refused is not None:
        # The program's process could read the tests and the nonce here: it never loads,
        # and the host reads this outcome as the sandbox's failure, not the program's.
        program.close()
        _report({"nonce": nonce, "outcome": "harness_error", "message": refused})
        return
    try:
        outcome = _run(program, request, nonce)
    except SystemExit as exc:
        outcome = {"nonce": nonce, "outcome": "exited", "message": str(exc.code)}
    except AssertionError:
        outcome = {"nonce": nonce, "outcome": "assertion_failed", "message": traceback.format_exc(limit=-3)[-2000:]}
    except MemoryError:
        outcome = {"nonce": nonce, "outcome": "memory_error", "message": "MemoryError"}
    except (ProgramEnded, NotPlainData) as exc:
        outcome = {"nonce": nonce, "outcome": "error", "message": str(exc)}
    except BaseException:
        outcome = {"nonce": nonce, "outcome": "error", "message": traceback.format_exc(limit=-3)[-2000:]}
    _report(outcome)


if __name__ == "__main__":
    main()
