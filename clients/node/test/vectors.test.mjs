// Runs every test vector in protocol/vectors/ (whatever is there at run time) against the real
// bridge, line by line, with the matcher of protocol/vectors/README.md.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  BINARY,
  VECTORS_DIR,
  assignment,
  matches,
  matchesLine,
  rawBridge,
  requireBinary,
} from '../test-support/helpers.mjs';
import { JSONNumber, parse, stringify } from '../test-support/lossless-json.mjs';

const STEP_TIMEOUT_MS = 10000;

const files = fs
  .readdirSync(VECTORS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('the vector matcher', () => {
  test('follows protocol/vectors/README.md', () => {
    assert.ok(matches({}, {}));
    assert.ok(!matches({}, { a: 1 }));
    assert.ok(matches({ a: 1 }, { a: 1.0, b: 2 }));
    assert.ok(!matches({ a: 1 }, { b: 1 }));
    assert.ok(!matches({ a: true }, { a: 1 }));
    assert.ok(!matches({ a: null }, {}));
    assert.ok(matches({ a: null }, { a: null }));
    assert.ok(matches([1, { x: 1 }], [1, { x: 1, y: 2 }]));
    assert.ok(!matches([1, 2], [2, 1]), 'nested arrays keep their order');
    assert.ok(!matches([1], [1, 2]));
    assert.ok(matchesLine([{ id: 1 }, { id: 2 }], [{ id: 2 }, { id: 1 }]), 'a batch line matches in any order');
    assert.ok(!matchesLine([{ id: 1 }, { id: 1 }], [{ id: 1 }, { id: 2 }]));
    assert.ok(!matches('1', 1));
    assert.ok(assignment([{ a: 1 }, { a: 1, b: 2 }], [{ a: 1, b: 2 }, { a: 1 }], matches));
    // numbers exactly, whatever their spelling
    const p = (t) => parse(t);
    assert.ok(matches(p('{"id":123456789012345678901234567890}'), p('{"id":123456789012345678901234567890}')));
    assert.ok(!matches(p('{"id":123456789012345678901234567890}'), p('{"id":123456789012345678901234567891}')));
    assert.ok(!matches(p('123456789012345678901234567890'), p('1.2345678901234568e+29')));
    assert.ok(matches(p('1'), p('1.0')) && matches(p('1.5e1'), p('15')) && matches(p('0'), p('-0.0')));
    assert.ok(matches(p('[1]'), [1]) && !matches(p('true'), p('1')) && !matches(p('"1"'), p('1')));
    assert.ok(p('{"a":1}').a instanceof JSONNumber);
    assert.equal(stringify(p('{"id":123456789012345678901234567890,"s":"\\u00e9\\n"}')), '{"id":123456789012345678901234567890,"s":"é\\n"}');
  });
});

describe('protocol vectors', { concurrency: 8 }, () => {
  test('the vectors folder is not empty', () => {
    assert.ok(files.length > 0, `no vectors in ${VECTORS_DIR}`);
  });

  for (const file of files) {
    let vector;
    let loadError;
    try {
      vector = parse(fs.readFileSync(path.join(VECTORS_DIR, file), 'utf8'));
    } catch (err) {
      loadError = err;
    }
    test(`${file}: ${vector ? vector.description : 'unreadable'}`, async () => {
      if (loadError) throw loadError;
      requireBinary();
      await runVector(vector);
    });
  }
});

async function runVector(vector) {
  assert.ok(Array.isArray(vector.args), 'args is an array');
  assert.ok(Array.isArray(vector.steps), 'steps is an array');
  const bridge = rawBridge(BINARY, vector.args);
  try {
    for (const [index, step] of vector.steps.entries()) {
      const text = typeof step.send === 'string' ? step.send : stringify(step.send);
      bridge.send(text);
      const expect = step.expect || [];
      const got = [];
      const deadline = Date.now() + STEP_TIMEOUT_MS;
      for (let i = 0; i < expect.length; i++) {
        const line = await bridge.readLine(Math.max(1, deadline - Date.now())).catch((err) => {
          throw new Error(
            `step ${index} (${text.slice(0, 200)}): expected ${expect.length} line(s), got ${got.length}: ` +
              `${got.map(stringify).join(' | ')}\n${err.message}`,
          );
        });
        let parsed;
        try {
          parsed = parse(line);
        } catch {
          assert.fail(`step ${index}: stdout line is not JSON: ${line}`);
        }
        got.push(parsed);
      }
      if (!assignment(expect, got, matchesLine)) {
        assert.fail(
          `step ${index} (${text.slice(0, 200)}):\n  expected (any order): ${stringify(expect)}\n` +
            `  actual: ${got.map(stringify).join('\n          ')}`,
        );
      }
    }
    bridge.child.stdin.end();
    const timer = setTimeout(() => bridge.kill(), STEP_TIMEOUT_MS);
    const exit = await bridge.exit;
    clearTimeout(timer);
    const extra = bridge.remaining();
    if (bridge.partial) extra.push(bridge.partial);
    assert.deepEqual(extra, [], 'no further output after the last step');
    assert.deepEqual(exit, { code: 0, signal: null }, `the bridge exits 0 at end of stdin; stderr:\n${bridge.stderr.slice(-2000)}`);
  } finally {
    bridge.kill();
  }
}
