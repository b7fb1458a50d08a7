"""A program counted its runs in a System V shared-memory segment with a fixed key,
which no clean-up removed: it printed 1, 2, 3 for three identical inputs and was
accepted (it could tell which test it was on). Every run now starts with no IPC
object, so it prints 1 each time and passes only the first test."""

PROGRAM = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
segment = libc.shmget(0x5EED, 4096, 0o1000 | 0o600)  # IPC_CREAT
if segment < 0:
    print(1)
else:
    address = libc.shmat(segment, None, 0)
    counter = ctypes.c_int.from_address(address)
    counter.value += 1
    print(counter.value)
    libc.shmdt(ctypes.c_void_p(address))
"""
TESTS = {"kind": "stdio", "cases": [{"input": "same", "output": str(n)} for n in (1, 2, 3)]}
EXPECT = {"wrong_answer"}
SCORE = 1 / 3
