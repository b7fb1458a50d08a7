"""A checker that echoes the program's output (as many do in their messages) passed its
64 KB output cap on a 1 MB output, and the item became sandbox_error (null) instead of its
wrong answer. A judge's output is now cut at the cap; its exit code decides."""

_CHECKER = """
import sys
sys.stdout.write(open(sys.argv[2]).read())
sys.exit(1)
"""
PROGRAM = "import sys\nsys.stdout.write('7 ' * (512 << 10))"
TESTS = {
    "kind": "checker",
    "cases": [{"input": "", "answer": "42"}],
    "checker": {"language": "python", "source": _CHECKER},
}
EXPECT = {"wrong_answer"}
