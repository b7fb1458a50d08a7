"""An answer object whose __eq__ is always true."""

PROGRAM = """
class Anything:
    def __eq__(self, other):
        return True
    __ne__ = lambda self, other: False

def add(a, b):
    return Anything()
"""
TESTS = {"kind": "assert", "entry_point": "add", "code": "def check(candidate):\n    assert candidate(2, 3) == 5\n"}
EXPECT = {"wrong_answer", "runtime_error"}
