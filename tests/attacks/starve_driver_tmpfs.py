"""starve_driver_shm.py with files instead of shared memory: the program fills the
sandbox's tmpfs mounts (its work dir, /tmp, /dev/shm) up to just under its cgroup's
limit, then prints a large output, so that the driver is what the OOM killer finds.
Where the mounts can fill the cgroup (bwrap, a small item limit), the driver's death
is the item's memory_limit; where they cannot (docker), the output is over its limit."""

PROGRAM = """
import os, sys

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
block = b"\\x01" * (1 << 16)
count = 0
for place in (".", "/tmp", "/dev/shm"):
    full = False
    while not full and (number(*USAGE) or 0) < limit - (1 << 19):
        count += 1
        try:
            # Many files: each stays under the file-size limit.
            with open(os.path.join(place, f"fill{count}"), "wb") as handle:
                for _ in range(64):
                    if (number(*USAGE) or 0) >= limit - (1 << 19):
                        break
                    handle.write(block)
                    handle.flush()
        except OSError:
            full = True
sys.stdout.write("x" * (8 << 20))
"""
TESTS = {"kind": "stdio", "cases": [{"input": "", "output": "42"}]}
LIMITS = {"memory_mb": 64}
EXPECT = {"memory_limit", "output_limit"}
