"""JavaScript `assert` test: the program's process has the judge's uid, so it tries the
judge's /proc entries (environ, memory maps, descriptors: the way to its nonce and its
result descriptor). The judge runs from an execute-only node and is undumpable, so
every one is closed. The program answers right only if one opened: then it could have
forged the report, and this attack must fail the suite."""

LANGUAGE = "javascript"
PROGRAM = """
const fs = require('fs');
function peeked() {
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(pid) || Number(pid) === process.pid) continue;
    let command = '';
    try { command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch (error) { continue; }
    if (!command.includes('js_judge')) continue;
    for (const entry of ['environ', 'maps', 'fd/0', 'fd/7']) {
      try {
        fs.closeSync(fs.openSync(`/proc/${pid}/${entry}`, 'r'));
        return true;
      } catch (error) {}
    }
  }
  return false;
}
function add(a, b) { return peeked() ? a + b : 0; }
"""
TESTS = {
    "kind": "assert",
    "entry_point": "add",
    "code": "const assert = require('assert');\nfunction check(candidate) {\n  assert.strictEqual(candidate(2, 3), 5);\n}\n",
}
EXPECT = {"wrong_answer"}
