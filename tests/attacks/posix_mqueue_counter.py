"""The run counter of ipc_shm_counter.py, kept in a POSIX message queue: the driver
cannot list those (they live in an mqueue mount it has not got), so programs may not
make any (RLIMIT_MSGQUEUE 0) and the counter never gets past 1."""

PROGRAM = """
import ctypes, os
librt = ctypes.CDLL("librt.so.1", use_errno=True)

class Attributes(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_long), ("maxmsg", ctypes.c_long), ("msgsize", ctypes.c_long),
                ("curmsgs", ctypes.c_long), ("reserved", ctypes.c_long * 4)]

wanted = Attributes(0, 4, 8, 0)
queue = librt.mq_open(b"/counter", os.O_CREAT | os.O_RDWR, 0o600, ctypes.byref(wanted))
if queue < 0:
    print(1)
else:
    librt.mq_send(queue, b"x", 1, 0)
    now = Attributes()
    librt.mq_getattr(queue, ctypes.byref(now))
    print(now.curmsgs)
"""
TESTS = {"kind": "stdio", "cases": [{"input": "same", "output": str(n)} for n in (1, 2, 3)]}
EXPECT = {"wrong_answer"}
SCORE = 1 / 3
