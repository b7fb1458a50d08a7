"""Hosts the untrusted Python program for `py_runner.py`, in a process of its own.

The runner forks this process before it reads its request (so nothing secret is
in its memory) and sends the program's path; this loads the program, then serves
calls of its functions: each request and answer is a length-prefixed pickle.
Nothing here is trusted by the runner: it accepts only plain data back (so an
object whose `__eq__` is always true, or a patched builtin, stays in here), and
it never gives this process the nonce or the test code.
"""

from __future__ import annotations

import functools
import pickle
import struct
import traceback
import types
from collections.abc import Callable
from typing import Any, BinaryIO


def write_frame(out: BinaryIO, data: bytes) -> None:
    """One message on the pipe: its length, then its bytes (a pickle)."""
    out.write(struct.pack(">Q", len(data)) + data)
    out.flush()


def read_frame(inp: BinaryIO) -> bytes | None:
    """The next message's bytes; None once the other side is gone."""
    header = inp.read(8)
    if len(header) < 8:
        return None
    size = struct.unpack(">Q", header)[0]
    data = inp.read(size)
    return data if len(data) == size else None


def _send(out: BinaryIO, message: tuple[Any, ...]) -> None:
    write_frame(out, pickle.dumps(message, protocol=5))


def _receive(inp: BinaryIO) -> tuple[Any, ...] | None:
    # The runner is trusted: what it sends is loaded as it is.
    data = read_frame(inp)
    return None if data is None else pickle.loads(data)


def _find(namespace: dict[str, Any], name: str) -> Any:
    if name in namespace:
        return namespace[name]
    solution = namespace.get("Solution")
    if isinstance(solution, type) and hasattr(solution, name):
        return getattr(solution(), name)
    raise NameError(f"the program defines no function {name!r}")


def _answer(out: BinaryIO, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    try:
        data = pickle.dumps(("returned", value, args, kwargs), protocol=5)
    except Exception as exc:
        data = pickle.dumps(("not_plain", f"{type(value).__name__} ({type(exc).__name__}: {exc})"), protocol=5)
    write_frame(out, data)


def _exports(namespace: dict[str, Any]) -> tuple[list[str], dict[str, str], dict[str, tuple[str, str]]]:
    """The program's own functions (called remotely), and the modules and library
    objects it imported (which the tests get the real ones of, by name)."""
    functions: list[str] = []
    modules: dict[str, str] = {}
    imported: dict[str, tuple[str, str]] = {}
    for name, value in namespace.items():
        if name.startswith("__"):
            continue
        if isinstance(value, types.ModuleType):
            modules[name] = value.__name__
        elif callable(value):
            module = getattr(value, "__module__", None)
            if isinstance(module, str) and module not in ("solution", "builtins"):
                imported[name] = (module, str(getattr(value, "__qualname__", name)))
            else:
                functions.append(name)
    return sorted(functions), modules, imported


def _attempt(out: BinaryIO, action: Callable[[], Any]) -> tuple[str, Any]:
    """Run program code: ("ok", its value), or "exited"/"raised" once the runner has been told."""
    try:
        return "ok", action()
    except SystemExit as exc:
        _send(out, ("exited", repr(exc.code)))
        return "exited", None
    except BaseException as exc:
        _send(out, ("raised", type(exc).__name__, traceback.format_exc(limit=-3)[-2000:]))
        return "raised", None


def _load(path: str, namespace: dict[str, Any]) -> None:
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    exec(compile(source, path, "exec"), namespace)


def _call(functions: dict[str, Any], namespace: dict[str, Any], name: str, args: Any, kwargs: Any) -> Any:
    if name not in functions:
        functions[name] = _find(namespace, name)
    return functions[name](*args, **kwargs)


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    """Load the program the first message names, then answer calls until EOF."""
    request = _receive(inp)
    if request is None or request[0] != "load":
        return
    namespace: dict[str, Any] = {"__name__": "solution", "__builtins__": __builtins__}
    path = str(request[1])
    if _attempt(out, lambda: _load(path, namespace))[0] != "ok":
        return
    _send(out, ("ready", *_exports(namespace)))
    functions: dict[str, Any] = {}
    while (request := _receive(inp)) is not None:
        _, name, args, kwargs = request
        state, value = _attempt(out, functools.partial(_call, functions, namespace, name, args, kwargs))
        if state == "exited":
            return
        if state == "ok":
            _answer(out, value, args, kwargs)
