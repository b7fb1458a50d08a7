// Runs the `call` and `assert` tests of a JavaScript program, with the program in another
// process: the twin of py_runner.py. js_launch.py starts the program's process
// (js_program_host.js) and then this judge, from an execute-only copy of node, so the
// kernel makes it undumpable: no process of the program can read its memory or open its
// descriptors. The request (nonce, tests) arrives on stdin; the outcome goes to
// RESULT_FD tagged with the nonce; the program's functions are called over the pipes on
// fds 5 (calls) and 6 (answers), and only plain data comes back. The test code runs in
// this realm, which the program never touches.
'use strict';
const path = require('path');
const vm = require('vm');
const fs = require('fs');
const wire = require(path.join(__dirname, 'js_wire.js'));

const RESULT_FD = Number(process.env.RESULT_FD || 3);
const CALLS = 5;
const ANSWERS = 6;
const BUILTIN_ERRORS = { Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError };
const GLOBALS = new Set(Object.getOwnPropertyNames(globalThis));

class ProgramEnded extends Error {}

function toJson(value) {
  // BigInt has no JSON form of its own: written as the integer it is.
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return 'null';
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value instanceof Set) return toJson(Array.from(value));
  if (value instanceof Map) return toJson(Object.fromEntries(value));
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).map((k) => `${JSON.stringify(k)}:${toJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function report(outcome) {
  const fields = Object.keys(outcome).map((k) => `${JSON.stringify(k)}:${toJson(outcome[k])}`);
  fs.writeSync(RESULT_FD, `{${fields.join(',')}}\n`);
}

function receive() {
  let answer;
  try {
    answer = wire.readFrame(ANSWERS);
  } catch (error) {
    throw new wire.NotPlainData('the program answered out of protocol');
  }
  if (answer === null) throw new ProgramEnded("the program's process ended before the tests finished");
  if (answer === null || typeof answer !== 'object') throw new wire.NotPlainData('the program answered out of protocol');
  return answer;
}

function copyBack(sent, returned) {
  if (Array.isArray(sent) && Array.isArray(returned)) {
    sent.length = 0;
    sent.push(...returned);
  } else if (sent instanceof Set && returned instanceof Set) {
    sent.clear();
    returned.forEach((v) => sent.add(v));
  } else if (sent instanceof Map && returned instanceof Map) {
    sent.clear();
    returned.forEach((v, k) => sent.set(k, v));
  } else if (sent && returned && typeof sent === 'object' && typeof returned === 'object' && !Array.isArray(returned)) {
    for (const key of Object.keys(sent)) delete sent[key];
    Object.assign(sent, returned);
  }
}

function rethrow(answer) {
  if (answer.raised && typeof answer.raised === 'object') {
    const Kind = BUILTIN_ERRORS[answer.raised.name] || Error;
    throw new Kind(String(answer.raised.message || '').slice(-2000));
  }
  if (typeof answer.not_plain === 'string') throw new wire.NotPlainData(`the function returned ${answer.not_plain.slice(0, 200)}`);
  throw new wire.NotPlainData('the program answered out of protocol');
}

function remote(name) {
  const call = function (...args) {
    let encoded;
    try {
      encoded = wire.encode(args);
    } catch (error) {
      throw new TypeError(`cannot pass these arguments to the program's ${name}: ${error.message}`);
    }
    try {
      wire.writeFrame(CALLS, { name, args: encoded });
    } catch (error) {
      throw new ProgramEnded("the program's process ended before the tests finished");
    }
    const answer = receive();
    if (!('returned' in answer)) return rethrow(answer);
    const after = wire.decode(answer.args);
    if (Array.isArray(after) && after.length === args.length) args.forEach((sent, i) => copyBack(sent, after[i]));
    return wire.decode(answer.returned);
  };
  Object.defineProperty(call, 'name', { value: name });
  return call;
}

function load(program) {
  wire.writeFrame(CALLS, { op: 'load', path: program });
  const answer = receive();
  if (answer.ready !== true || !Array.isArray(answer.functions)) return rethrow(answer);
  return answer.functions.filter((name) => typeof name === 'string');
}

function main() {
  const request = JSON.parse(fs.readFileSync(0, 'utf8'));
  const nonce = request.nonce;
  let outcome;
  try {
    const functions = load(request.program);
    if (request.mode === 'call') {
      const args = request.args;
      const fn = remote(request.fn_name);
      const value = Array.isArray(args) ? fn(...args) : fn(args);
      outcome = { outcome: 'returned', value };
    } else {
      // The program's functions, as remote calls; never under a name this realm already
      // has (a builtin, a global of node), never check().
      for (const name of functions) {
        if (!GLOBALS.has(name) && name !== 'check') globalThis[name] = remote(name);
      }
      if (request.entry_point) globalThis[request.entry_point] = remote(request.entry_point);
      globalThis.require = require;
      vm.runInThisContext(String(request.test_code), { filename: 'test.js' });
      if (request.entry_point) {
        const check = vm.runInThisContext("typeof check === 'function' ? check : undefined");
        if (check) check(remote(request.entry_point));
      }
      outcome = { outcome: 'passed' };
    }
  } catch (error) {
    const assertion = error && (error.name === 'AssertionError' || error.code === 'ERR_ASSERTION');
    const memory = error instanceof RangeError && /memory|allocation/i.test(String(error.message));
    outcome = {
      outcome: assertion ? 'assertion_failed' : memory ? 'memory_error' : 'error',
      message: String(error && error.stack ? error.stack : error).slice(-2000),
    };
  }
  report({ nonce, ...outcome });
}

main();
