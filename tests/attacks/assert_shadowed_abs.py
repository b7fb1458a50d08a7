"""HumanEval-style assert tests compare through abs(); the program defines its own abs
that is always 0, so any answer is "close". Only the entry point may reach the tests."""

PROGRAM = """
def abs(x):
    return 0

def add(a, b):
    return 0
"""
TESTS = {
    "kind": "assert",
    "entry_point": "add",
    "code": "def check(candidate):\n    assert abs(candidate(2, 3) - 5) < 1e-6\n",
}
EXPECT = {"wrong_answer"}
