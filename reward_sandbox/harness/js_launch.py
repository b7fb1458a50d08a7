"""Starts a JavaScript test run: the program's process, then the judge, wired together.

The judge (js_judge.js) must be able to call the program's functions synchronously
from the test code, so the two talk over plain blocking pipes, made here. The
program's process (js_program_host.js) gets fds 3 (calls in) and 4 (answers out),
/dev/null for stdin, and no result descriptor; then this process becomes the judge,
with fds 5 and 6, the request on stdin and RESULT_FD. The judge runs from an
execute-only copy of node (`judge-node` beside this file, where the backend made
one): the kernel marks a process it cannot read the binary of as undumpable, so the
program's process, of the same uid, cannot open the judge's /proc entries.

Usage: python3 -I js_launch.py MEMORY_MB
"""

from __future__ import annotations

import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _node() -> str:
    return shutil.which("node") or "/usr/bin/node"


def _judge_node() -> str:
    path = os.path.join(HERE, "judge-node")
    return path if os.path.exists(path) else _node()


def _place(fds: dict[int, int]) -> None:
    """Put each source descriptor at its target number, whatever the overlaps."""
    moved = {target: os.dup(source) for target, source in fds.items()}
    for target, copy in moved.items():
        os.dup2(copy, target)
        os.close(copy)


def main() -> None:
    memory_mb = int(sys.argv[1])
    heap = f"--max-old-space-size={memory_mb}"
    calls_r, calls_w = os.pipe()
    answers_r, answers_w = os.pipe()
    result_fd = int(os.environ.get("RESULT_FD", "3"))
    result = os.dup(result_fd)
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_RDONLY)
        _place({0: devnull, 3: calls_r, 4: answers_w})
        os.closerange(5, 1 << 16)
        env = {k: v for k, v in os.environ.items() if k != "RESULT_FD"}
        os.execve(_node(), [_node(), heap, os.path.join(HERE, "js_program_host.js")], env)
    _place({5: calls_w, 6: answers_r, 7: result})
    # Every other end, the program's ones included: the judge must see EOF when it dies.
    os.closerange(3, 5)
    os.closerange(8, 1 << 16)
    env = {**os.environ, "RESULT_FD": "7"}
    os.execve(_judge_node(), ["node", heap, os.path.join(HERE, "js_judge.js")], env)


if __name__ == "__main__":
    main()
