"""The tests have no check() of their own; the program brings one that accepts anything,
hoping the runner calls it with the entry point."""

PROGRAM = """
def check(candidate):
    return True

def add(a, b):
    return 0
"""
TESTS = {"kind": "assert", "entry_point": "add", "code": "assert add(2, 3) == 5\n"}
EXPECT = {"wrong_answer"}
