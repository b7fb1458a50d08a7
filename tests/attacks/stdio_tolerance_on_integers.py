"""With a float tolerance, 123456700 passed for the integer 123456789 (a relative 1e-6).
Integer tokens must match exactly; the tolerance is for decimals."""

PROGRAM = "print(123456700)"
TESTS = {"kind": "stdio", "float_tolerance": 1e-6, "cases": [{"input": "", "output": "123456789"}]}
EXPECT = {"wrong_answer"}
