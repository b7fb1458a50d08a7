"""3,000 nested directories, some locked read-only, broke the driver's clean-up:
sandbox_error (null) and two sessions lost per item, so any wrong answer could be made
"undecided". Clean-up survives any tree; the item keeps its own verdict."""

PROGRAM = """
import os
os.makedirs("deep", exist_ok=True)
os.chdir("deep")
for depth in range(3000):
    os.mkdir("d")
    os.chdir("d")
    if depth % 500 == 0:
        os.chmod(".", 0o500)
        os.chdir("..")
        os.chmod("d", 0o700)
        os.chdir("d")
os.chmod(".", 0o500)
print("wrong")
"""
TESTS = {"kind": "stdio", "cases": [{"input": "", "output": "right"}]}
EXPECT = {"wrong_answer"}
_ADD = "a, b = map(int, input().split())\nprint(a + b)"
NEIGHBOURS = [
    (_ADD + f"  # {n}", {"kind": "stdio", "cases": [{"input": f"{n} 1", "output": str(n + 1)}]}) for n in range(3)
]
