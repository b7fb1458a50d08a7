// The wire between the JavaScript judge and the program's process (js_program_host.js):
// length-prefixed JSON frames read and written synchronously on blocking pipes, and
// values carried as tagged plain data. The judge decodes strictly: whatever the
// program's process sends, what comes out is a fresh plain value of the judge's realm.
'use strict';
const fs = require('fs');

const MAX_DEPTH = 100;
const MAX_FRAME = 256 * 1024 * 1024;

function readExactly(fd, size) {
  const buffer = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    let got;
    try {
      got = fs.readSync(fd, buffer, offset, size - offset, null);
    } catch (error) {
      if (error.code === 'EAGAIN') continue;
      if (error.code === 'EOF' || error.code === 'EPIPE') return null;
      throw error;
    }
    if (got === 0) return null;
    offset += got;
  }
  return buffer;
}

function readFrame(fd) {
  const header = readExactly(fd, 4);
  if (header === null) return null;
  const size = header.readUInt32BE(0);
  if (size > MAX_FRAME) throw new RangeError('frame too large');
  const body = readExactly(fd, size);
  return body === null ? null : JSON.parse(body.toString('utf8'));
}

function writeFrame(fd, message) {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  const data = Buffer.concat([header, body]);
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += fs.writeSync(fd, data, offset, data.length - offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}

function encode(value, depth = 0) {
  if (depth > MAX_DEPTH) throw new TypeError('the value is nested too deeply');
  if (value === undefined) return ['u'];
  if (value === null) return ['z'];
  switch (typeof value) {
    case 'boolean':
      return ['b', value];
    case 'string':
      return ['s', value];
    case 'number':
      if (Object.is(value, -0)) return ['x', '-0'];
      return Number.isFinite(value) ? ['n', value] : ['x', String(value)];
    case 'bigint':
      return ['i', value.toString()];
    default:
      break;
  }
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value) && proto === Array.prototype) return ['a', Array.from(value, (v) => encode(v, depth + 1))];
  if (value instanceof Map && proto === Map.prototype) {
    return ['m', Array.from(value, ([k, v]) => [encode(k, depth + 1), encode(v, depth + 1)])];
  }
  if (value instanceof Set && proto === Set.prototype) return ['S', Array.from(value, (v) => encode(v, depth + 1))];
  if (typeof value === 'object' && (proto === Object.prototype || proto === null)) {
    return ['o', Object.keys(value).map((k) => [k, encode(value[k], depth + 1)])];
  }
  throw new TypeError(`not plain data: ${Object.prototype.toString.call(value)}`);
}

class NotPlainData extends Error {}

function decode(tagged, depth = 0) {
  if (depth > MAX_DEPTH || !Array.isArray(tagged) || typeof tagged[0] !== 'string') {
    throw new NotPlainData('the program answered out of protocol');
  }
  const [tag, body] = tagged;
  const list = () => {
    if (!Array.isArray(body)) throw new NotPlainData('the program answered out of protocol');
    return body;
  };
  const pair = (entry) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw new NotPlainData('the program answered out of protocol');
    return entry;
  };
  switch (tag) {
    case 'u':
      return undefined;
    case 'z':
      return null;
    case 'b':
      if (typeof body === 'boolean') return body;
      break;
    case 's':
      if (typeof body === 'string') return body;
      break;
    case 'n':
      if (typeof body === 'number') return body;
      break;
    case 'x':
      if (body === '-0') return -0;
      if (body === 'NaN') return NaN;
      if (body === 'Infinity') return Infinity;
      if (body === '-Infinity') return -Infinity;
      break;
    case 'i':
      if (typeof body === 'string' && /^-?[0-9]+$/.test(body)) return BigInt(body);
      break;
    case 'a':
      return list().map((v) => decode(v, depth + 1));
    case 'S':
      return new Set(list().map((v) => decode(v, depth + 1)));
    case 'm':
      return new Map(list().map((entry) => pair(entry).map((v) => decode(v, depth + 1))));
    case 'o': {
      const result = {};
      for (const entry of list()) {
        const [key, v] = pair(entry);
        if (typeof key !== 'string') throw new NotPlainData('the program answered out of protocol');
        Object.defineProperty(result, key, { value: decode(v, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return result;
    }
    default:
      break;
  }
  throw new NotPlainData('the program answered out of protocol');
}

module.exports = { readFrame, writeFrame, encode, decode, NotPlainData };
