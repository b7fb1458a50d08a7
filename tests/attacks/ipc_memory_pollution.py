"""Shared-memory segments made, filled and detached, never removed, stayed charged to
the session: after two such items a correct program needing 120 MB of a 256 MB limit
got memory_limit in every later item of that session. Every run's segments are now
removed when its processes are gone, and while it runs they count as its memory."""

PROGRAM = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
held = 0
for _ in range(2):
    segment = libc.shmget(0, 100 << 20, 0o1000 | 0o600)  # IPC_PRIVATE, IPC_CREAT
    if segment < 0:
        break
    address = libc.shmat(segment, None, 0)
    ctypes.memset(address, 1, 100 << 20)
    libc.shmdt(ctypes.c_void_p(address))
    held += 100
print(f"left {held} MB behind")
"""
TESTS = {"kind": "stdio", "cases": [{"input": str(n), "output": "nothing left"} for n in range(3)]}
LIMITS = {"memory_mb": 256}
EXPECT = {"wrong_answer", "memory_limit"}
_NEEDS_120_MB = "block = bytearray(b'\\x01') * (120 << 20)\nprint(len(block) >> 20)"
NEIGHBOURS = [
    (_NEEDS_120_MB + f"  # {n}", {"kind": "stdio", "cases": [{"input": "", "output": "120"}]}, {"memory_mb": 256})
    for n in range(4)
]
