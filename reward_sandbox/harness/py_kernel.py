"""A Python kernel for a session: cells run one after another in one interpreter, so that
definitions, imports and variables persist between them, as in a notebook.

The driver starts this process once per session (again after a cell killed it) and
keeps it as a child, with the same limits and confinement as any program it runs.
Cells come as JSON lines on descriptor CELL_FD; after each, one JSON line goes to
RESULT_FD: the cell's status (`ok`, or `error` with the exception), and the repr of
its last expression when it ends with one. Stdout and stderr belong to the cells
and reach the driver as a program's output does; stdin is /dev/null.

Nothing here is trusted: the cells run in this process and can reach both
descriptors. They can forge their own results, which are only ever shown back to
the session that ran them, never scored; every limit is enforced by the driver,
outside this process.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import traceback
from typing import Any

CELL_FD = int(os.environ.get("CELL_FD", "3"))
RESULT_FD = int(os.environ.get("RESULT_FD", "4"))
# A repr longer than this is cut: a huge value must not flood the reply.
VALUE_CHARS = 8192
TRACEBACK_CHARS = 8192


def _report(result: dict[str, Any]) -> None:
    data = (json.dumps(result, default=repr) + "\n").encode()
    while data:
        data = data[os.write(RESULT_FD, data) :]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 30] + f"... [{len(text) - limit + 30} more chars]"


def _error(exc: BaseException, filename: str) -> dict[str, Any]:
    # Only the cell's own frames: the kernel's are noise to the model reading them.
    frames = [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == filename]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return {
        "type": type(exc).__name__,
        "message": _cut(str(exc), TRACEBACK_CHARS),
        "traceback": _cut("Traceback (most recent call last):\n" + "".join(lines), TRACEBACK_CHARS),
    }


def run_cell(code: str, number: int, namespace: dict[str, Any]) -> dict[str, Any]:
    """Runs one cell in ``namespace``; the value of a final expression is returned as its repr."""
    filename = f"<cell {number}>"
    try:
        tree = ast.parse(code, filename, "exec")
    except SyntaxError as exc:
        return {"status": "error", "value": None, "error": _error(exc, filename)}
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    if last is not None:
        tree.body.pop()
    try:
        exec(compile(tree, filename, "exec"), namespace)
        value = None
        if last is not None:
            value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # a cell's exit() ends the cell, not the kernel
        return {"status": "error", "value": None, "error": _error(exc, filename)}
    namespace["_"] = value if last is not None else namespace.get("_")
    try:
        shown = None if value is None else _cut(repr(value), VALUE_CHARS)
    except Exception as exc:  # a __repr__ that raises is the cell's error too
        return {"status": "error", "value": None, "error": _error(exc, filename)}
    return {"status": "ok", "value": shown, "error": None}


def main() -> None:
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    cells = os.fdopen(CELL_FD, "r", encoding="utf-8")
    for line in cells:
        cell = json.loads(line)
        number = int(cell.get("number", 0))
        result = run_cell(cell["code"], number, namespace)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass  # a cell that closed its stdout has only itself to blame
        _report({**result, "cell": number})


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())  # a cell imports the session's own files, as a script's directory would
    main()
