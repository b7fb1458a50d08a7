"""bwrap's /dev was writable and lived as long as the session: one item replaced
/dev/stdin, and correct programs of later items reading /dev/stdin got wrong_answer
(then cached). /dev is read-only; the program still gets its own verdict."""

PROGRAM = """
import os
for name in ("stdin", "null", "zero", "urandom"):
    try:
        os.remove(f"/dev/{name}")
    except OSError:
        pass
    try:
        with open(f"/dev/{name}", "w") as handle:
            handle.write("1 1")
    except OSError:
        pass
try:
    os.symlink("/box/w/fake", "/dev/stdin")
except OSError:
    pass
print(0)
"""
TESTS = {"kind": "stdio", "cases": [{"input": "2 3", "output": "5"}]}
EXPECT = {"wrong_answer"}
_READS_DEV_STDIN = "a, b = map(int, open('/dev/stdin').read().split())\nprint(a + b)"
NEIGHBOURS = [
    (_READS_DEV_STDIN + f"  # {n}", {"kind": "stdio", "cases": [{"input": f"{n} 3", "output": str(n + 3)}]})
    for n in range(4)
]
