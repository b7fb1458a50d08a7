"""Partial points were read from the first number anywhere in the checker's stdout and
stderr: a checker that echoed the contestant's token ("read 1.0") gave 1.0 where its own
points were 0.25. Points now come from testlib's channel only: the `points <value>` line
quitp writes on stderr."""

_CHECKER = """
import sys
token = open(sys.argv[2]).read().split()[0]
print(f"read {token}")
print("points 0.25 a quarter: the answer is close", file=sys.stderr)
sys.exit(7)
"""
PROGRAM = "print('1.0')"
TESTS = {
    "kind": "checker",
    "cases": [{"input": "", "answer": "3"}],
    "checker": {"language": "python", "source": _CHECKER},
}
EXPECT = {"wrong_answer"}
SCORE = 0.25
