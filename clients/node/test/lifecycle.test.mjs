// Process lifecycle: a bridge that dies mid-call, a bridge that will not exit, a clean close,
// and a client that is never closed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

import { BridgeClosed, TiledeskRPC, TiledeskRPCError } from '../index.js';
import { HANDSHAKE, PACKAGE_DIR, fakeFromScript, writeFakeBinary } from '../test-support/helpers.mjs';

// Answers the start-up ping, then on the next line complains on stderr and exits 1 without answering.
const DYING = writeFakeBinary(
  'dying-bridge',
  `${HANDSHAKE}
const die = () => {
  process.stderr.write('starting\\n'.repeat(50));
  process.stderr.write('fatal: upstream exploded while serving the request\\n');
  process.exit(1);
};
afterHandshake((rest) => (rest ? die() : process.stdin.once('data', die)));
`,
);

// Answers the start-up ping, then ignores end of stdin and SIGTERM; only SIGKILL ends it.
const STUBBORN = writeFakeBinary(
  'stubborn-bridge',
  `${HANDSHAKE}
process.on('SIGTERM', () => process.stderr.write('ignoring SIGTERM\\n'));
process.on('SIGINT', () => {});
afterHandshake(() => process.stdin.on('data', () => {}));
process.stdin.on('end', () => process.stderr.write('ignoring EOF\\n'));
setInterval(() => {}, 1000);
`,
);

const ECHO = fakeFromScript('echo-bridge.mjs');

test('a bridge dying mid-call rejects every pending call with BridgeClosed and its stderr tail', async () => {
  const client = await TiledeskRPC.spawn({ binary: DYING, stderrTailBytes: 1024 });
  const calls = [client.ping(), client.call('team.list', {}), client.batch([{ method: 'ping' }, { method: 'ping' }])];
  const results = await Promise.allSettled(calls);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.ok(r.reason instanceof BridgeClosed);
    assert.ok(r.reason instanceof TiledeskRPCError);
    assert.match(r.reason.message, /exited with code 1/);
    assert.match(r.reason.message, /fatal: upstream exploded/);
    assert.equal(r.reason.data.exitCode, 1);
    assert.match(r.reason.stderr, /fatal: upstream exploded/);
    assert.ok(r.reason.data.stderr.length <= 1024, 'the stderr tail is bounded');
  }
  await assert.rejects(client.ping(), BridgeClosed);
  assert.deepEqual(await client.close(), { code: 1, signal: null });
});

test('close() on a bridge that ignores EOF and SIGTERM kills it after the grace period', async () => {
  const client = await TiledeskRPC.spawn({ binary: STUBBORN });
  const pending = client.call('never.answered', {});
  const t0 = Date.now();
  const exit = await client.close({ timeout: 700 });
  const took = Date.now() - t0;
  assert.deepEqual(exit, { code: null, signal: 'SIGKILL' });
  assert.ok(took >= 650 && took < 3000, `close took ${took} ms`);
  await assert.rejects(pending, (e) => e instanceof BridgeClosed && /SIGKILL/.test(e.message) && /ignoring EOF/.test(e.message));
});

test('close() waits 5 s by default before SIGKILL', async () => {
  const client = await TiledeskRPC.spawn({ binary: STUBBORN });
  const t0 = Date.now();
  const exit = await client.close();
  const took = Date.now() - t0;
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(took >= 4900 && took < 8000, `close took ${took} ms`);
});

test('close() lets calls in flight finish, then resolves once the process has exited', async () => {
  const client = await TiledeskRPC.spawn({ binary: ECHO });
  const inflight = client.call('sleep', { ms: 300 });
  const exit = await client.close();
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.deepEqual(await inflight, { slept: 300 });
  assert.equal(client.pid > 0, true);
});

test('an idle client does not keep Node alive; a pending call does', () => {
  const script = `
import { TiledeskRPC } from ${JSON.stringify(path.join(PACKAGE_DIR, 'index.js'))};
const c = await TiledeskRPC.spawn({ binary: ${JSON.stringify(ECHO)} });
const r = await c.call('sleep', { ms: 300 });
console.log(JSON.stringify(r));
`;
  const t0 = Date.now();
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15000 });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(out.stdout.trim(), '{"slept":300}');
  assert.ok(Date.now() - t0 < 10000);
});
