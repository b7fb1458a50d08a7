"""The expected values, read from the test file if it is anywhere the program can see."""

PROGRAM = """
import glob, re

def add(a, b):
    for path in glob.glob('*') + glob.glob('/box/**/*', recursive=True) + glob.glob('/tmp/**/*', recursive=True):
        try:
            found = re.findall(r'== (\\d+)', open(path).read())
        except OSError:
            continue
        if found:
            return int(found[0])
    return 0
"""
TESTS = {"kind": "assert", "entry_point": "add", "code": "def check(candidate):\n    assert candidate(2, 3) == 5\n"}
EXPECT = {"wrong_answer"}
