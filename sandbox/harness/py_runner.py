"""Runs a Python program, then the test the host asked for, in one interpreter.

Used for the `call` and `assert` test kinds (the program is a function, not a
script). The request arrives on stdin; the outcome goes to file descriptor 3,
tagged with the request's nonce (the descriptor is RESULT_FD), never to stdout,
which belongs to the program.
A program that exits early (sys.exit, os._exit) leaves no outcome there: the
host reads that as a failure, never as a pass.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any


RESULT_FD = int(os.environ.get("RESULT_FD", "3"))


def _report(outcome: dict[str, Any]) -> None:
    data = (json.dumps(outcome, default=repr) + "\n").encode()
    # If the program closed or reused the descriptor, this fails and nothing passes.
    while data:
        data = data[os.write(RESULT_FD, data) :]


def _load_program(path: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "solution", "__builtins__": __builtins__}
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    exec(compile(source, path, "exec"), namespace)
    return namespace


def _find(namespace: dict[str, Any], name: str) -> Any:
    if name in namespace:
        return namespace[name]
    solution = namespace.get("Solution")
    if isinstance(solution, type) and hasattr(solution, name):
        return getattr(solution(), name)
    raise NameError(f"the program defines no function {name!r}")


def main() -> None:
    request = json.loads(sys.stdin.read())
    nonce = request.pop("nonce")
    try:
        namespace = _load_program(request["program"])
        if request["mode"] == "call":
            args = request["args"]
            function = _find(namespace, request["fn_name"])
            value = function(**args) if isinstance(args, dict) else function(*args)
            _report({"nonce": nonce, "outcome": "returned", "value": value})
            return
        with open(request["test"], encoding="utf-8") as handle:
            test_source = handle.read()
        exec(compile(test_source, "test.py", "exec"), namespace)
        entry_point = request.get("entry_point")
        if entry_point and callable(namespace.get("check")):
            namespace["check"](_find(namespace, entry_point))
        _report({"nonce": nonce, "outcome": "passed"})
    except SystemExit as exc:
        _report({"nonce": nonce, "outcome": "exited", "message": f"the program called exit({exc.code!r}) before the tests finished"})
    except AssertionError:
        _report({"nonce": nonce, "outcome": "assertion_failed", "message": traceback.format_exc(limit=-3)[-2000:]})
    except MemoryError:
        _report({"nonce": nonce, "outcome": "memory_error", "message": "MemoryError"})
    except BaseException:
        _report({"nonce": nonce, "outcome": "error", "message": traceback.format_exc(limit=-3)[-2000:]})


if __name__ == "__main__":
    main()
