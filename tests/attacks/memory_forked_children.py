"""The memory limit held per process: eight children of 250 MB each passed at
memory_mb 256 while the item used 2 GB. The item's whole process tree is held to it."""

PROGRAM = """
import os, time
children = []
for _ in range(8):
    pid = os.fork()
    if pid == 0:
        block = bytearray(250 * 1024 * 1024)
        for i in range(0, len(block), 4096):
            block[i] = 1
        time.sleep(1.5)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print("done")
"""
TESTS = {"kind": "stdio", "cases": [{"input": "", "output": "done"}]}
LIMITS = {"memory_mb": 256, "time_s": 8}
EXPECT = {"memory_limit"}
