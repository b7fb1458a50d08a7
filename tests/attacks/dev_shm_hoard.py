"""320 MB written to bwrap's /dev/shm stayed in host memory after the item ended. The
sandbox's /dev/shm is small and private, and wiped after every item."""

PROGRAM = """
import os
written = 0
try:
    with open("/dev/shm/hoard", "wb") as handle:
        for _ in range(320):
            handle.write(b"x" * (1 << 20))
            handle.flush()
            written += 1
except OSError:
    pass
print("contained" if written < 64 else f"hoarded {written} MB")
"""
TESTS = {"kind": "stdio", "cases": [{"input": "", "output": "hoarded 320 MB"}]}
EXPECT = {"wrong_answer"}
_LOOKS = "import os\nleft = os.listdir('/dev/shm') if os.path.isdir('/dev/shm') else []\nprint(left or 'empty')"
NEIGHBOURS = [(_LOOKS + f"  # {n}", {"kind": "stdio", "cases": [{"input": "", "output": "empty"}]}) for n in range(3)]
