"""The program read its memory cgroup's limit and usage, filled it to just under the
limit with detached shared memory (which no process's memory shows), then printed a
large output: the sandbox driver, in the same cgroup, was OOM-killed while reading it,
and so was the retry, so a wrong answer became sandbox_error with a null score.
Detached segments now count as the run's memory, and a driver the OOM killer took
during an item is that item's memory_limit: an attack on the sandbox is a 0."""

PROGRAM = """
import ctypes, sys

def number(*paths):
    for path in paths:
        try:
            with open(path) as handle:
                return int(handle.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return None

LIMIT = ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max")
USAGE = ("/sys/fs/cgroup/memory/memory.usage_in_bytes", "/sys/fs/cgroup/memory.current")
limit = number(*LIMIT) or (1 << 30)
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
chunk = 2 << 20
while (number(*USAGE) or 0) < limit - (4 << 20):
    segment = libc.shmget(0, chunk, 0o1000 | 0o600)
    if segment < 0:
        break
    address = libc.shmat(segment, None, 0)
    if address in (None, ctypes.c_void_p(-1).value):
        break
    ctypes.memset(address, 1, chunk)
    libc.shmdt(ctypes.c_void_p(address))
sys.stdout.write("x" * (8 << 20))
"""
TESTS = {"kind": "stdio", "cases": [{"input": "", "output": "42"}]}
LIMITS = {"memory_mb": 64}
# Which of its two limits the program is caught at first is a race (the driver samples
# the tree's memory while it reads the output); either is a 0, never a null.
EXPECT = {"memory_limit", "output_limit"}
