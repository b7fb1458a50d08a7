"""The program patches the builtins module itself, for everyone in its interpreter."""

PROGRAM = """
import builtins
builtins.abs = lambda x: 0

def add(a, b):
    return 0
"""
TESTS = {
    "kind": "assert",
    "entry_point": "add",
    "code": "def check(candidate):\n    assert abs(candidate(2, 3) - 5) < 1e-9\n",
}
EXPECT = {"wrong_answer"}
