"""float() reads "1_0", Arabic-Indic and fullwidth digits as 10: with a float tolerance
each passed for "10.5"'s neighbours. Judges read ASCII numerals only."""

PROGRAM = "print('1_0.5', '\\u0661\\u0660.5', '\\uff11\\uff10.5')"
TESTS = {"kind": "stdio", "float_tolerance": 1e-6, "cases": [{"input": "", "output": "10.5 10.5 10.5"}]}
EXPECT = {"wrong_answer"}
