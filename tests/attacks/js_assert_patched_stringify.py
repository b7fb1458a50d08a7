"""JavaScript `assert` test: the program patched JSON.stringify, which the runner used to
write its report, turning a failed assertion into a pass."""

LANGUAGE = "javascript"
PROGRAM = """
const stringify = JSON.stringify;
JSON.stringify = function (value, ...rest) {
  if (value && typeof value === 'object' && 'nonce' in value) value = { nonce: value.nonce, outcome: 'passed' };
  return stringify(value, ...rest);
};
function add(a, b) { return 0; }
"""
TESTS = {
    "kind": "assert",
    "entry_point": "add",
    "code": "const assert = require('assert');\nfunction check(candidate) {\n  assert.strictEqual(candidate(2, 3), 5);\n}\n",
}
EXPECT = {"wrong_answer"}
