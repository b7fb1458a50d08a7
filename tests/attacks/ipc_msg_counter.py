"""The run counter of ipc_shm_counter.py, kept as messages in a System V message queue
(one message per run, counted from /proc/sysvipc/msg): the queue outlived the run.
Removed with every other IPC object after each run."""

PROGRAM = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
KEY = 0x5EED
queue = libc.msgget(KEY, 0o1000 | 0o600)  # IPC_CREAT
if queue < 0:
    print(1)
else:
    message = ctypes.create_string_buffer(ctypes.sizeof(ctypes.c_long) + 1)
    ctypes.c_long.from_buffer(message).value = 1
    libc.msgsnd(queue, message, 1, 0)
    with open("/proc/sysvipc/msg") as table:
        rows = [line.split() for line in table.read().splitlines()[1:]]
    print(next((row[4] for row in rows if int(row[0]) == KEY), "1"))
"""
TESTS = {"kind": "stdio", "cases": [{"input": "same", "output": str(n)} for n in (1, 2, 3)]}
EXPECT = {"wrong_answer"}
SCORE = 1 / 3
