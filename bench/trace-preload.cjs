// Socket-level tracer for bench/trace-ping.mjs. Loaded with `node --require` (workers get it
// through NODE_OPTIONS) or required by the bench itself. Records, on the system-wide monotonic
// clock (process.hrtime, CLOCK_MONOTONIC, comparable across processes), every write to and
// every data chunk from a TCP socket, with the connection name ioredis sends (CLIENT SETNAME)
// and the first bytes. The worker writes its records to $RRQ_TRACE_OUT/<pid>.json on exit.
'use strict';
const net = require('node:net');
const fs = require('node:fs');
const path = require('node:path');

const MAX = 400_000;
const records = [];
let nextSocket = 1;
const names = new WeakMap();
const ids = new WeakMap();

function sid(socket) {
  let id = ids.get(socket);
  if (!id) {
    id = nextSocket++;
    ids.set(socket, id);
  }
  return id;
}

function text(chunk) {
  if (typeof chunk === 'string') return chunk.slice(0, 4000);
  if (Buffer.isBuffer(chunk) || chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(chunk.length, 4000)).toString('latin1');
  return '';
}

function record(kind, socket, chunk) {
  if (records.length >= MAX) return;
  const body = text(chunk);
  if (!names.has(socket)) {
    const m = /setname\r\n\$\d+\r\n([^\r]+)/i.exec(body);
    if (m) names.set(socket, m[1]);
  }
  records.push({ t: Number(process.hrtime.bigint()) / 1e6, kind, sock: sid(socket), name: names.get(socket) ?? null, body });
}

const origWrite = net.Socket.prototype.write;
net.Socket.prototype.write = function write(chunk, ...rest) {
  record('write', this, chunk);
  return origWrite.call(this, chunk, ...rest);
};
const origWritev = net.Socket.prototype._writev;
if (origWritev) {
  net.Socket.prototype._writev = function writev(chunks, cb) {
    record('writev', this, chunks.map((c) => text(c.chunk)).join(''));
    return origWritev.call(this, chunks, cb);
  };
}
const origEmit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function emit(event, ...args) {
  if (event === 'data') record('data', this, args[0]);
  return origEmit.call(this, event, ...args);
};

function mark(label, extra) {
  if (records.length < MAX) records.push({ t: Number(process.hrtime.bigint()) / 1e6, kind: 'mark', label, ...extra });
}

function dump(file) {
  fs.writeFileSync(file, JSON.stringify({ pid: process.pid, argv: process.argv.slice(1), records }));
}

globalThis.__rrqTrace = { records, mark, dump };
if (process.env.RRQ_TRACE_OUT) {
  process.on('exit', () => {
    try {
      dump(path.join(process.env.RRQ_TRACE_OUT, `${process.pid}.json`));
    } catch {
      // nothing to do
    }
  });
}
