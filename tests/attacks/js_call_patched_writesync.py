"""JavaScript `call` test: the program patched fs.writeSync so the runner's report became
a pass, and the judge took a reported "passed" for a call test without comparing the
value. The program now runs in a process of its own and values are compared outside."""

LANGUAGE = "javascript"
PROGRAM = """
const fs = require('fs');
const write = fs.writeSync;
fs.writeSync = function (fd, data, ...rest) {
  try {
    const outcome = JSON.parse(String(data));
    if (outcome && outcome.nonce) data = JSON.stringify({ nonce: outcome.nonce, outcome: 'passed' }) + '\\n';
  } catch (error) {}
  return write.call(fs, fd, data, ...rest);
};
function add(a, b) { return 0; }
"""
TESTS = {"kind": "call", "fn_name": "add", "cases": [{"args": [2, 3], "expected": 5}, {"args": [4, 4], "expected": 8}]}
EXPECT = {"wrong_answer"}
