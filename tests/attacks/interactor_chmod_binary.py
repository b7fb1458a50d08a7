"""The interactor's "execute-only" binary was owned by the program's user: the program
chmod-ed it, read it, and found the secret compiled into it (score 1.0). The program is
now confined (Landlock): it cannot reach the judges' directories at all."""

_INTERACTOR = r"""
#include <cstdio>
#include <cstring>
static const char* KEY = "KEY=742;";
int main() {
    char op = 0; int x = 0;
    if (std::scanf(" %c %d", &op, &x) != 2) return 1;
    int secret = 0;
    std::sscanf(KEY + 4, "%d", &secret);
    return op == '!' && x == secret ? 0 : 1;
}
"""
PROGRAM = """
import os, re, stat
found = None
for top in ("/box", ".."):
    for folder, _, names in os.walk(top):
        for name in names:
            path = os.path.join(folder, name)
            try:
                os.chmod(path, 0o755)
                with open(path, "rb") as handle:
                    match = re.search(rb"KEY=([0-9]+);", handle.read())
            except OSError:
                continue
            if match:
                found = found or match.group(1).decode()
print("!", found or 1, flush=True)
"""
TESTS = {
    "kind": "interactive",
    "cases": [{"input": "", "answer": ""}],
    "interactor": {"language": "cpp", "source": _INTERACTOR},
}
LANGUAGE = "python"
EXPECT = {"wrong_answer"}
