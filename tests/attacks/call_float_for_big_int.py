"""A call test expecting the integer 10**12 + 7 accepted float(10**12 + 8): a relative
tolerance of 1e-9 is a thousand at that size. An expected integer is met only exactly."""

PROGRAM = """
def answer():
    return float(10**12 + 8)
"""
TESTS = {"kind": "call", "fn_name": "answer", "cases": [{"args": [], "expected": 10**12 + 7}]}
EXPECT = {"wrong_answer"}
