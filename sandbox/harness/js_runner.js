// Runs a JavaScript program, then the test the host asked for, in one V8 context.
// The twin of py_runner.py: request on stdin, outcome on RESULT_FD tagged with the
// nonce; a program that exits early leaves no outcome, which never reads as a pass.
'use strict';
const fs = require('fs');
const vm = require('vm');

const RESULT_FD = Number(process.env.RESULT_FD || 3);

function report(outcome) {
  fs.writeSync(RESULT_FD, JSON.stringify(outcome) + '\n');
}

function find(name) {
  const value = vm.runInThisContext(`typeof ${name} !== 'undefined' ? ${name} : undefined`);
  if (typeof value === 'function') return value;
  const Solution = vm.runInThisContext("typeof Solution !== 'undefined' ? Solution : undefined");
  if (typeof Solution === 'function' && typeof Solution.prototype[name] === 'function') {
    const instance = new Solution();
    return instance[name].bind(instance);
  }
  throw new ReferenceError(`the program defines no function '${name}'`);
}

const request = JSON.parse(fs.readFileSync(0, 'utf8'));
const nonce = request.nonce;
delete request.nonce;
let finished = false;
process.on('exit', () => {
  if (!finished) report({ nonce, outcome: 'exited', message: 'the program exited before the tests finished' });
});
// Scripts run by vm see globals only; programs and tests expect require (assert, fs).
globalThis.require = require;
try {
  vm.runInThisContext(fs.readFileSync(request.program, 'utf8'), { filename: 'main.js' });
  if (request.mode === 'call') {
    const fn = find(request.fn_name);
    const args = request.args;
    const value = Array.isArray(args) ? fn(...args) : fn(args);
    finished = true;
    report({ nonce, outcome: 'returned', value: value === undefined ? null : value });
  } else {
    vm.runInThisContext(fs.readFileSync(request.test, 'utf8'), { filename: 'test.js' });
    if (request.entry_point) {
      const check = vm.runInThisContext("typeof check === 'function' ? check : undefined");
      if (check) check(find(request.entry_point));
    }
    finished = true;
    report({ nonce, outcome: 'passed' });
  }
} catch (error) {
  finished = true;
  const assertion = error && (error.name === 'AssertionError' || error.code === 'ERR_ASSERTION');
  const memory = error instanceof RangeError && /memory|allocation/i.test(String(error.message));
  report({
    nonce,
    outcome: assertion ? 'assertion_failed' : memory ? 'memory_error' : 'error',
    message: String(error && error.stack ? error.stack : error).slice(-2000),
  });
}
