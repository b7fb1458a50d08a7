"""guess_interactor.cpp in Python: guess the hidden number (the test's input) in [1, 1000];
"? x" is answered ">" (the number is larger), "<" or "="; "! x" is the final answer.
At most 20 lines. Run as `interactor input output answer` (testlib's convention)."""

import sys

secret = int(open(sys.argv[1]).read())
output = open(sys.argv[2], "w")
for line in range(1, 21):
    try:
        op, x = input().split()
        guess = int(x)
    except (EOFError, ValueError):
        print(f"expected a query on line {line}", file=sys.stderr)
        sys.exit(1)
    if op == "!":
        if guess != secret:
            print(f"answered {guess}, the number was another", file=sys.stderr)
            sys.exit(1)
        output.write(f"found in {line} lines\n")
        print(f"found in {line} lines", file=sys.stderr)
        sys.exit(0)
    print(">" if guess < secret else "<" if guess > secret else "=", flush=True)
print("too many queries", file=sys.stderr)
sys.exit(1)
