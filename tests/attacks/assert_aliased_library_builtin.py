"""The program binds a builtin's name to a library function (abs = math.isnan): a real
library object, so it used to reach the tests' namespace as one of the prompt's imports."""

PROGRAM = """
import math
abs = math.isnan

def add(a, b):
    return 0
"""
TESTS = {
    "kind": "assert",
    "entry_point": "add",
    "code": "def check(candidate):\n    assert not abs(candidate(2, 3) - 5) > 1e-6\n",
}
EXPECT = {"wrong_answer"}
