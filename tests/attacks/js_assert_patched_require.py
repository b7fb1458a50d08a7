"""JavaScript `assert` test: the program replaced the global require, so the tests'
require('assert') got an assert that never throws."""

LANGUAGE = "javascript"
PROGRAM = """
const realRequire = require;
const yes = new Proxy(function () {}, { get: () => yes, apply: () => undefined });
globalThis.require = (name) => (String(name).includes('assert') ? yes : realRequire(name));
function add(a, b) { return 0; }
"""
TESTS = {
    "kind": "assert",
    "entry_point": "add",
    "code": "const assert = require('assert');\nfunction check(candidate) {\n  assert.strictEqual(candidate(2, 3), 5);\n  assert.deepStrictEqual([candidate(1, 1)], [2]);\n}\n",
}
EXPECT = {"wrong_answer"}
