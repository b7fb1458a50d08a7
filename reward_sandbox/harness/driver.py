"""The in-sandbox driver: runs untrusted programs on request, one request at a time.

It is the long-lived process of a sandbox session (the container's entrypoint, or
the process bubblewrap starts) and speaks one JSON object per line on stdin and
stdout. It knows nothing of languages or tests: the host sends files, an optional
compile command and the runs to make; the driver applies the limits to each run,
captures what the program printed, and reports how each run ended. Expected
outputs never enter the sandbox: the host compares.

This module is the protocol: a request in, its steps in order, a reply out. The
steps are the modules beside it (started with `python3 -S driver.py`, so this
file's directory is on sys.path): runs.py starts runs and watch.py watches them,
proc_tree.py measures them, judges.py keeps the checkers and interactors,
kernel_cells.py keeps a session's interpreter between its cells,
workdir.py and files.py handle the writable places, cleanup.py ends what a run
left, box.py says what the sandbox looks like, undumpable.py protects the driver's
memory. Standard library only: it runs on the sandbox image's python3 and on the
host's.

When the driver is PID 1 of its own PID namespace (the docker and bwrap
backends), the program cannot kill it (the kernel ignores SIGKILL sent to a
namespace's init from inside), and after each request it kills and reaps every
other process in the namespace, so nothing outlives the request. It makes itself
undumpable first; where the kernel refuses, every reply says so
(`undumpable_error`), nothing runs, and the host discards the session.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import sys
import time
from typing import Any

import undumpable
from box import CHECKER_DIR, INTERACTOR_DIR, PROGRAM_DIR
from cleanup import clean_up, kill_others, remove_sysv_ipc
from files import fetch_files, write_binary_files, write_files
from judges import Judges, check
from kernel_cells import Kernels
from runs import interact, run_program
from workdir import CLEANUP_BUDGET_S, WorkDir, wipe_all

# What one request may send back of its programs' output, all runs together: one item
# printing at the cap in every run must not become a reply the host cannot take.
DEFAULT_REPLY_KB = 32 * 1024


def handle(request: dict[str, Any], judges: Judges) -> dict[str, Any]:
    """Run one request: its judges, its compile step, its runs; then clean up."""
    work = WorkDir(PROGRAM_DIR)
    reply: dict[str, Any] = {"nonce": request["nonce"], "compile": None, "runs": []}
    reply_left = int(request.get("reply_kb") or DEFAULT_REPLY_KB) * 1024
    places: dict[str, WorkDir] = {}
    for field, path in (("checker", CHECKER_DIR), ("interactor", INTERACTOR_DIR)):
        if request.get(field):
            place = judges.prepare(request[field], path, reply, f"{field}_compile")
            if place is None:
                reply.update(clean_up())
                return reply
            places[field] = place
    if places:
        wipe_all(time.monotonic() + CLEANUP_BUDGET_S)  # the program never sees a judge's files
    os.makedirs(work.path, exist_ok=True)
    write_files(work.path, request.get("files", {}))
    write_binary_files(work.path, request.get("files_b64", {}))
    compile_step = request.get("compile")
    if compile_step:
        reply["compile"] = run_program(compile_step["argv"], "", compile_step["limits"], work.path, False, reply_left)
        done = reply["compile"]
        if done["exit_code"] != 0 or done["limit"]:
            reply.update(clean_up())
            return reply
    runs = request.get("runs", [])
    leftovers = 0
    reset_clean = True
    if len(runs) > 1:
        leftovers += kill_others()  # a compiler's stray children, if any
        work.snapshot()
    for index, run in enumerate(runs):
        if index > 0:
            # Nothing of one run (a process it left, a file it wrote) reaches the next.
            leftovers += kill_others()
            # Both always run: a check that fails must not skip restoring the work dir.
            ipc_clean = remove_sysv_ipc()
            reset_clean = work.restore() and ipc_clean and reset_clean
        check_spec = run.get("check")
        stdin = run.get("stdin", "")
        if run.get("interact") is not None and "interactor" in places:
            leftovers += kill_others()
            places["interactor"].write_out()
            result = interact(run, request["limits"], request["interactor"], work.path, INTERACTOR_DIR)
            interactor = result.get("interact", {})
            failed = result["exit_code"] != 0 or interactor.get("exit_code") != 0
        elif check_spec is not None and "checker" in places:
            # A checked run's output goes to the checker, not back to the host: it costs no reply budget.
            budget = request["limits"]["output_kb"] * 1024
            result = run_program(run["argv"], stdin, request["limits"], work.path, False, budget)
            output = base64.b64decode(result.pop("stdout_b64", ""))
            result["stdout_b64"] = ""
            failed = result["exit_code"] != 0
            if not failed and not result.get("limit"):
                leftovers += kill_others()  # nothing of the program may touch the checker
                answer = check_spec.get("answer", "")
                result["check"] = check(request["checker"], places["checker"], stdin, output, answer)
                reply_left -= result["check"].get("stdout_bytes", 0)
                failed = result["check"]["exit_code"] != 0
        else:
            result = run_program(run["argv"], stdin, request["limits"], work.path, run.get("fd3", False), reply_left)
            reply_left -= result.get("stdout_bytes", 0) + len(result.get("fd3", ""))
            failed = result["exit_code"] != 0
        reply["runs"].append(result)
        if request.get("stop_on_failure") and failed:
            break
    if request.get("fetch"):
        # Read before clean-up wipes the work dir; the files share the reply's budget.
        reply["fetched"] = fetch_files(work.path, request["fetch"], max(reply_left, 0))
    reply.update(clean_up())
    reply["leftover_processes"] += leftovers
    reply["clean"] = reply["clean"] and reset_clean
    return reply


def answer(line: str, judges: Judges, kernels: Kernels, undumpable_error: str | None) -> dict[str, Any]:
    """The reply to one request line; never raises (the host turns `driver_error` into sandbox_error)."""
    try:
        request = json.loads(line)
        if undumpable_error is not None:
            # A program could read this process's memory (the judges' answers) or forge
            # its replies through its descriptors: nothing runs, and the host says why.
            reply = {"nonce": request.get("nonce"), "compile": None, "runs": [], "leftover_processes": 0}
            reply["clean"] = False
        elif request.get("op") == "cell":
            reply = kernels.run_cell(request)  # a session's sandbox: kernel_cells.py
        else:
            reply = handle(request, judges)
    except Exception as exc:
        reply = {"nonce": None, "driver_error": f"{type(exc).__name__}: {exc}"}
        reply.update(clean_up())
    if undumpable_error is not None:
        reply["undumpable_error"] = undumpable_error
    return reply


def main() -> None:
    undumpable_error = undumpable.make_undumpable()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    judges = Judges()
    kernels = Kernels()
    for line in sys.stdin:
        if not line.strip():
            continue
        sys.stdout.write(json.dumps(answer(line, judges, kernels, undumpable_error)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
