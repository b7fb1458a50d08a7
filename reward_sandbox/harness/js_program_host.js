// Hosts the untrusted JavaScript program for js_judge.js, in a process of its own
// (started by js_launch.py): loads the program when the judge says so, then calls its
// functions on request. Calls arrive on fd 3 and answers leave on fd 4; values travel
// as tagged plain data (js_wire.js). Nothing here is trusted by the judge: the program
// may patch anything in this realm, and it only changes what this process answers.
'use strict';
const path = require('path');
const vm = require('vm');
const fs = require('fs');
const wire = require(path.join(__dirname, 'js_wire.js'));

const CALLS = 3;
const ANSWERS = 4;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function find(name) {
  if (!IDENTIFIER.test(name)) throw new TypeError(`not a function name: ${JSON.stringify(name).slice(0, 80)}`);
  // `typeof` sees the program's let/const/class bindings too, which globalThis does not hold.
  const value = vm.runInThisContext(`typeof ${name} !== 'undefined' ? ${name} : undefined`);
  if (typeof value === 'function') return value;
  const Solution = vm.runInThisContext("typeof Solution !== 'undefined' ? Solution : undefined");
  if (typeof Solution === 'function' && Solution.prototype && typeof Solution.prototype[name] === 'function') {
    const instance = new Solution();
    return instance[name].bind(instance);
  }
  throw new ReferenceError(`the program defines no function '${name}'`);
}

function raised(error) {
  const name = error && typeof error.name === 'string' ? error.name : 'Error';
  const message = String(error && error.stack ? error.stack : error).slice(-2000);
  return { raised: { name, message } };
}

async function serve() {
  const first = wire.readFrame(CALLS);
  if (first === null || first.op !== 'load') return;
  const before = new Set(Object.getOwnPropertyNames(globalThis));
  // Programs expect require (fs, assert); scripts run by vm see globals only.
  globalThis.require = require;
  try {
    vm.runInThisContext(fs.readFileSync(first.path, 'utf8'), { filename: 'main.js' });
  } catch (error) {
    wire.writeFrame(ANSWERS, raised(error));
    return;
  }
  const functions = Object.getOwnPropertyNames(globalThis).filter(
    (name) => !before.has(name) && name !== 'require' && typeof globalThis[name] === 'function',
  );
  wire.writeFrame(ANSWERS, { ready: true, functions });
  for (;;) {
    const request = wire.readFrame(CALLS);
    if (request === null) return;
    let answer;
    try {
      const args = wire.decode(request.args);
      let value = find(String(request.name))(...args);
      if (value && typeof value.then === 'function') value = await value;
      answer = { returned: wire.encode(value), args: wire.encode(args) };
    } catch (error) {
      answer = error instanceof TypeError && /^not plain data/.test(error.message) ? { not_plain: error.message } : raised(error);
    }
    wire.writeFrame(ANSWERS, answer);
  }
}

serve().then(
  () => process.exit(0),
  () => process.exit(1),
);
