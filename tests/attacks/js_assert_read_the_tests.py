"""JavaScript `assert` test: the test file stayed readable beside the program, which
read the expected values out of it. The tests now travel only in the judge's request."""

LANGUAGE = "javascript"
PROGRAM = """
const fs = require('fs');
const path = require('path');
function add(a, b) {
  const places = ['.', '/box', '/box/w', '/tmp'];
  for (const place of places) {
    let names = [];
    try { names = fs.readdirSync(place); } catch (error) { continue; }
    for (const name of names) {
      try {
        const text = fs.readFileSync(path.join(place, name), 'utf8');
        const found = /candidate\\(2, 3\\), (\\d+)/.exec(text);
        if (found) return Number(found[1]);
      } catch (error) {}
    }
  }
  return 0;
}
"""
TESTS = {
    "kind": "assert",
    "entry_point": "add",
    "code": "const assert = require('assert');\nfunction check(candidate) {\n  assert.strictEqual(candidate(2, 3), 5);\n}\n",
}
EXPECT = {"wrong_answer"}
