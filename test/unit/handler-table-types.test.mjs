// Adding a message is one typed change (CONTRIBUTING.md): the type checker rejects a worker
// handler table with a message missing or misspelt. This compiles test/typecheck/*.fixture.ts
// with the project's own tsc and expects exactly those errors, and none for the complete table.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { promisify } from 'node:util';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = new URL('../typecheck/tsconfig.json', import.meta.url).pathname;
const fixture = readFileSync(new URL('../typecheck/handlerTable.fixture.ts', import.meta.url), 'utf8').split('\n');

/** tsc's errors on the line of `export const <name>` in the fixture. */
function errorsAt(errors, name) {
  const line = fixture.findIndex((l) => l.startsWith(`export const ${name}:`)) + 1;
  assert.ok(line > 0, `the fixture declares ${name}`);
  return errors.filter((l) => l.includes(`handlerTable.fixture.ts(${line},`)).join('\n');
}

test('the type checker rejects a message-handler table with a message missing or misspelt', async () => {
  const out = await promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', project]).then(
    () => assert.fail('tsc accepted the incomplete tables'),
    (err) => `${err.stdout}${err.stderr}`,
  );
  const errors = out.split('\n').filter((l) => /error TS\d+/.test(l));
  assert.deepEqual(errors.filter((l) => !l.includes('handlerTable.fixture.ts')), [], `errors elsewhere:\n${out}`);
  assert.equal(errorsAt(errors, 'complete'), '', 'the complete table compiles');
  assert.match(errorsAt(errors, 'missing'), /TS2741: Property 'STOP' is missing/);
  assert.match(errorsAt(errors, 'misspelt'), /'STOPP' does not exist in type 'MessageHandlers'/);
});
