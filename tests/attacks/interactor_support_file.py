"""An interactor's support files sat in the directory the program ran beside: a program
read the hidden value from one and answered in one query, accepted. The program is now
confined (Landlock): the judges' directories are out of its reach, whatever their modes."""

_INTERACTOR = """
import sys
secret = int(open("hidden.txt").read())
query = input().split()
sys.exit(0 if query == ["!", str(secret)] else 1)
"""
PROGRAM = """
import os, re
found = None
for top in ("/box", "..", "/"):
    for folder, _, names in os.walk(top):
        if folder.startswith(("/proc", "/sys", "/usr")):
            continue
        for name in names:
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    match = re.fullmatch(rb"\\s*(7[0-9]{2})\\s*", handle.read(64))
            except OSError:
                continue
            if match:
                found = found or match.group(1).decode()
print("!", found or 1, flush=True)
"""
TESTS = {
    "kind": "interactive",
    "cases": [{"input": "", "answer": ""}],
    "interactor": {"language": "python", "source": _INTERACTOR, "files": {"hidden.txt": "731\n"}},
}
EXPECT = {"wrong_answer"}
