"""MBPP-style assert tests compare through set(); the program redefines set so both
sides are equal, with no entry point named (plain asserts on the function)."""

PROGRAM = """
def set(x=None):
    return 1

def unique(xs):
    return []
"""
TESTS = {"kind": "assert", "code": "assert set(unique([1, 1, 2])) == set([1, 2])\n"}
EXPECT = {"wrong_answer"}
