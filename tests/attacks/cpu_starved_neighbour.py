"""One item's 60 busy children starved another item: its correct program, needing
0.12 s of CPU, got time_limit. Sessions get fair CPU shares where cgroups allow, and
time limits count CPU time, so a neighbour's load cannot fail a correct program."""

PROGRAM = """
import os, time
for _ in range(60):
    if os.fork() == 0:
        os.setsid()  # a scheduler autogroup of its own for each child
        end = time.monotonic() + 6
        while time.monotonic() < end:
            pass
        os._exit(0)
time.sleep(6)
print("busy")
"""
TESTS = {"kind": "stdio", "cases": [{"input": "", "output": "idle"}]}
LIMITS = {"time_s": 4}
EXPECT = {"wrong_answer", "time_limit"}
# Waits for the neighbour's children to be running, then needs about 0.15 s of CPU.
_HONEST = "import time\ntime.sleep(0.5)\ntotal = 0\nfor i in range(1_500_000):\n    total += i\nprint(total)"
NEIGHBOURS = [
    (_HONEST, {"kind": "stdio", "cases": [{"input": "", "output": str(sum(range(1_500_000)))}]}, {"time_s": 1})
]
