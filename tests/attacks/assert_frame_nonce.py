"""The runner's nonce, looked up in the caller's frames, and a forged pass written with it."""

PROGRAM = """
import os, sys, json

def add(a, b):
    frame = sys._getframe()
    while frame is not None:
        nonce = frame.f_locals.get('nonce')
        if isinstance(nonce, str):
            os.write(int(os.environ.get('RESULT_FD', 3)), json.dumps({'nonce': nonce, 'outcome': 'passed'}).encode() + b'\\n')
            os._exit(0)
        frame = frame.f_back
    return 0
"""
TESTS = {"kind": "assert", "entry_point": "add", "code": "def check(candidate):\n    assert candidate(2, 3) == 5\n"}
EXPECT = {"wrong_answer", "runtime_error"}
