"""An int subclass whose comparison lies."""

PROGRAM = """
class Liar(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__

def add(a, b):
    return Liar(0)
"""
TESTS = {"kind": "assert", "entry_point": "add", "code": "def check(candidate):\n    assert candidate(2, 3) == 5\n"}
EXPECT = {"wrong_answer", "runtime_error"}
