"""Across the runs of one item: the first run leaves a detached process behind that waits
for the next runner, reads its request (and nonce) through /proc/PID/fd/0, writes a
forged pass on its result descriptor and kills it. Nothing of a run may outlive it,
and a runner killed by a signal never passes."""

PROGRAM = r"""
import os, json, signal, time

def _spy():
    seen = set()
    stop = time.monotonic() + 20
    while time.monotonic() < stop:
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) == os.getpid() or name in seen:
                continue
            try:
                command = open(f"/proc/{name}/cmdline", "rb").read()
            except OSError:
                continue
            if b"py_runner" not in command:
                continue
            try:
                data = os.read(os.open(f"/proc/{name}/fd/0", os.O_RDONLY | os.O_NONBLOCK), 1 << 20)
                nonce = json.loads(data)["nonce"]
                environ = open(f"/proc/{name}/environ", "rb").read().split(b"\0")
                fd = next(int(v.split(b"=")[1]) for v in environ if v.startswith(b"RESULT_FD="))
                out = os.open(f"/proc/{name}/fd/{fd}", os.O_WRONLY)
                for outcome in ("passed", "returned"):
                    os.write(out, (json.dumps({"nonce": nonce, "outcome": outcome, "value": 0}) + "\n").encode())
                os.kill(int(name), signal.SIGKILL)
                seen.add(name)
            except Exception:
                pass

def solve(n):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            _spy()
        os._exit(0)
    return -1
"""
# Expected 0 for every case: a forged "returned" with value 0 would match, so only the
# first run's honest -1 is judged, and the forged passes of later runs must not count.
TESTS = {"kind": "call", "fn_name": "solve", "cases": [{"args": [n], "expected": 0} for n in range(1, 9)]}
EXPECT = {"wrong_answer", "runtime_error"}
