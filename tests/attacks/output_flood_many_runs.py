"""45 runs printing 1 MB of control bytes each became over 256 MB of escaped JSON on the
driver's pipe: HTTP 500 for the whole batch under bwrap, 55 s and sandbox_error under
docker. What a request sends back is capped inside the driver; the item gets its own
verdict and the batch goes on."""

PROGRAM = "import sys\nsys.stdout.write('\\x01' * (1 << 20))"
TESTS = {"kind": "stdio", "cases": [{"input": str(n), "output": "0"} for n in range(45)]}
EXPECT = {"wrong_answer", "output_limit"}
_ADD = "a, b = map(int, input().split())\nprint(a + b)"
NEIGHBOURS = [(_ADD, {"kind": "stdio", "cases": [{"input": "1 2", "output": "3"}]})]
