"""Across the runs of one item: the first run plants a usercustomize.py in the home
directory, which a later runner (started without isolated mode) loads; it rewrites the
runner's report into a pass. Runners start isolated and each run starts from a wiped
work directory, so nothing of one run reaches the next."""

PROGRAM = r'''
import os, site

HOOK = """
import os, json
_write = os.write
def write(fd, data):
    try:
        outcome = json.loads(data)
        if isinstance(outcome, dict) and "nonce" in outcome:
            data = (json.dumps({"nonce": outcome["nonce"], "outcome": "passed"}) + "\\n").encode()
    except Exception:
        pass
    return _write(fd, data)
os.write = write
"""

def solve(n):
    for folder in {site.getusersitepackages(), os.path.expanduser("~")}:
        try:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "usercustomize.py"), "w") as handle:
                handle.write(HOOK)
            with open(os.path.join(folder, "sitecustomize.py"), "w") as handle:
                handle.write(HOOK)
        except OSError:
            pass
    return -1
'''
TESTS = {"kind": "call", "fn_name": "solve", "cases": [{"args": [n], "expected": n * n} for n in range(1, 9)]}
EXPECT = {"wrong_answer"}
