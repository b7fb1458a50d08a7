"""The run counter of ipc_shm_counter.py, kept in a System V semaphore instead: the
semaphore set outlived the run. Removed with every other IPC object after each run."""

PROGRAM = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)

class SemBuf(ctypes.Structure):
    _fields_ = [("num", ctypes.c_ushort), ("op", ctypes.c_short), ("flags", ctypes.c_short)]

semaphores = libc.semget(0x5EED, 1, 0o1000 | 0o600)  # IPC_CREAT
if semaphores < 0:
    print(1)
else:
    libc.semop(semaphores, ctypes.byref(SemBuf(0, 1, 0)), 1)
    print(libc.semctl(semaphores, 0, 12))  # GETVAL
"""
TESTS = {"kind": "stdio", "cases": [{"input": "same", "output": str(n)} for n in (1, 2, 3)]}
EXPECT = {"wrong_answer"}
SCORE = 1 / 3
