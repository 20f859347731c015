// The Lua scripts (src/core/lua/<name>-<number of keys>.lua) follow one pattern: a header that
// names every KEYS and ARGV entry the script reads and what it returns; the key count in the
// file name matches the header; every file is loaded by scripts.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const dir = new URL('../../src/core/lua/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.lua')).sort();
const loader = readFileSync(new URL('../../src/core/scripts.ts', import.meta.url), 'utf8');

test('there are Lua scripts to check', () => {
  assert.ok(files.length >= 3, files.join(', '));
});

for (const file of files) {
  test(`${file}: named <name>-<keys>.lua, with a header naming its KEYS, ARGV and output, and loaded`, () => {
    const match = /^([a-z][A-Za-z]*)-(\d+|n)\.lua$/.exec(file);
    assert.ok(match, 'file name is <name>-<number of keys>.lua');
    const text = readFileSync(new URL(file, dir), 'utf8');
    const header = /^--\[\[\n([\s\S]*?)\n\]\]\n/.exec(text);
    assert.ok(header, 'opens with a --[[ ... ]] header');
    const [, doc] = header;
    const body = text.slice(header[0].length);
    assert.match(doc, /\n\s*Input:\n/);
    assert.match(doc, /\n\s*Output:\n/);
    const keysUsed = [...body.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
    if (match[2] === 'n') {
      assert.match(doc, /KEYS\[1 \.\. n\]/, 'a script with a variable number of keys says so');
    } else {
      const n = Number(match[2]);
      for (let i = 1; i <= n; i++) assert.match(doc, new RegExp(`KEYS\\[${i}\\] \\S`), `KEYS[${i}] is described`);
      assert.doesNotMatch(doc, new RegExp(`KEYS\\[${n + 1}\\]`), `no more than ${n} keys are described`);
      assert.ok(keysUsed.every((i) => i <= n), `the body reads only KEYS[1..${n}]`);
    }
    for (const i of new Set([...body.matchAll(/ARGV\[(\d+)\]/g)].map((m) => m[1]))) {
      assert.match(doc, new RegExp(`ARGV\\[${i}\\] \\S`), `ARGV[${i}] is read and described`);
    }
    assert.ok(loader.includes(`from './lua/${file}'`) && loader.includes(`'${match[1]}-${match[2]}':`), 'scripts.ts loads it under its file name');
  });
}
