"""Any two integers x y with x + y = n are a right answer; 0.5 points for a pair in the wrong order of size."""

import sys

n = int(open(sys.argv[1]).read().split()[0])
tokens = open(sys.argv[2]).read().split()
try:
    x, y = (int(token) for token in tokens)
except ValueError:
    print("expected two integers")
    sys.exit(1)
if x + y != n:
    print(f"{x} + {y} != {n}")
    sys.exit(1)
if x > y:
    # Partial points the way testlib's quitp gives them: a `points <value>` line on stderr.
    print("points 0.5 the pair is right, but not in ascending order", file=sys.stderr)
    sys.exit(7)
print("ok")
sys.exit(0)
