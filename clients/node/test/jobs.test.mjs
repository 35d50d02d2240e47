// The jobs built on notifications and pages, against a fake bridge that speaks them as the protocol
// specifies (test-support/team-bridge.mjs): progress reports of `team.apply`, `team.watch` and its
// notifications, the walk over `activity.list` pages; then the same against the real bridge's
// sandbox, each once the bridge serves it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';

import { BridgeClosed, Conflict, InvalidParams, NotFound, TiledeskRPC, UpstreamUnavailable, WatchError, readRoster } from '../index.js';
import { PACKAGE_DIR, SEED, fakeFromScript, requireBinary } from '../test-support/helpers.mjs';

const TEAM_BRIDGE = fakeFromScript('team-bridge.mjs');
const ROSTER = [
  { email: 'alice@example.com', role: 'supervisor' },
  { email: 'bob@example.com', role: 'agent', user_available: true },
  { email: 'zoe@example.com', role: 'agent' },
  { email: 'fail@example.com', role: 'agent' },
];
const PENDING_TM = '65f0000000000000000000b7';

/** Run `body` with a client of a fresh fake bridge; close it after. */
async function withBridge(args, body) {
  const client = await TiledeskRPC.spawn({ binary: TEAM_BRIDGE, args, timeout: 15000 });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

describe('progress', { concurrency: true }, () => {
  test('each report reaches onProgress; the result follows', () =>
    withBridge([], async (client) => {
      const reports = [];
      const applied = await client.team.apply({ roster: ROSTER }, { onProgress: (r) => reports.push(r) });
      const emails = ROSTER.map((e) => e.email);
      assert.deepEqual(reports.map((r) => [r.done, r.total]), [[1, 4], [2, 4], [3, 4], [4, 4]]);
      assert.deepEqual(reports.map((r) => r.action.email), emails);
      assert.deepEqual(applied.applied.map((a) => a.email), emails.slice(0, 3));
      assert.deepEqual(applied.failed.map((a) => a.email), emails.slice(3));
    }));

  test('reports of other calls and unknown notifications are ignored, and emitted as messages', () =>
    withBridge([], async (client) => {
      const messages = [];
      client.on('message', (m) => messages.push(m.method));
      await client.call('fake.emit', {
        notifications: [
          { jsonrpc: '2.0', method: '$/progress', params: { token: 'progress-999', value: { done: 9 } } },
          { jsonrpc: '2.0', method: 'something/else', params: { token: 'x' } },
        ],
      });
      const reports = [];
      await client.team.apply({ roster: ROSTER.slice(0, 1) }, { onProgress: (r) => reports.push(r.done) });
      assert.deepEqual(reports, [1]);
      assert.deepEqual(messages, ['$/progress', 'something/else']);
    }));

  test('a bridge that predates progress answers without reports; no token without onProgress', () =>
    withBridge(['--no-progress'], async (client) => {
      const reports = [];
      const applied = await client.team.apply({ roster: ROSTER.slice(0, 2) }, { onProgress: (r) => reports.push(r) });
      assert.deepEqual([reports, applied.applied.length], [[], 2]);
      assert.deepEqual((await client.team.apply({ roster: [{ email: 'zoe@example.com', role: 'agent' }] })).summary, { invite: 1 });
      await assert.rejects(client.call('team.apply', { roster: ROSTER, _meta: {} }), InvalidParams);
    }));

  test('an exception of onProgress cancels the call and rejects it', () =>
    withBridge([], async (client) => {
      const stop = () => {
        throw new RangeError('enough');
      };
      await assert.rejects(client.team.apply({ roster: [{ email: 'hold@example.com', role: 'agent' }] }, { onProgress: stop }), RangeError);
      assert.equal((await client.call('fake.log')).cancels.length, 1);
      assert.deepEqual(await client.ping(), {});
    }));

  test('params by name only; a stale fingerprint is a conflict carrying the fresh plan', () =>
    withBridge([], async (client) => {
      await assert.rejects(client.call('team.apply', [ROSTER], { onProgress() {} }), TypeError);
      const plan = await client.team.plan({ roster: ROSTER.slice(0, 1) });
      await client.team.apply({ roster: ROSTER.slice(1, 2) });
      await assert.rejects(
        client.team.apply({ roster: ROSTER.slice(0, 1), fingerprint: plan.fingerprint }, { onProgress() {} }),
        (err) => err instanceof Conflict && err.data.plan.actions[0].email === 'alice@example.com',
      );
    }));
});

describe('team.watch', { concurrency: true }, () => {
  test('changes, a failed poll, the view, and break unwatching', () =>
    withBridge([], async (client) => {
      const watch = client.team.watch({ interval: 10 });
      await watch.ready;
      assert.equal(watch.subscription, 'sub-1');
      assert.equal(watch.teammates.size, 4);
      const seen = [];
      await assert.rejects(
        (async () => {
          for await (const change of watch) seen.push(change);
        })(),
        (err) => err instanceof WatchError && err.code === 503 && err.subscription === 'sub-1' && err.error instanceof UpstreamUnavailable,
      );
      assert.deepEqual(seen.map((c) => c.kind), ['updated']);
      assert.deepEqual(seen[0].fields, { user_available: { from: false, to: true } });
      assert.equal(watch.teammates.get(SEED.teammates.bob).user_available, true);
      for await (const change of watch) {
        seen.push(change);
        assert.ok(watch.teammates.has(PENDING_TM), 'one poll\'s changes are in the view from the first of them on');
        if (change.kind === 'joined') break;
      }
      assert.deepEqual(seen.map((c) => c.kind), ['updated', 'invitation_removed', 'joined']);
      assert.equal(watch.invitations.size, 0);
      assert.ok(watch.teammates.has(PENDING_TM));
      assert.deepEqual((await client.call('fake.log')).unwatched, ['sub-1']);
      for await (const change of watch) assert.fail(`a closed watch gave ${change.kind}`);
      await watch.close();
      assert.deepEqual((await client.call('fake.log')).unwatched, ['sub-1']);
    }));

  test('as an EventEmitter', () =>
    withBridge([], async (client) => {
      const watch = client.team.watch();
      const events = [];
      await new Promise((resolve) => {
        watch.on('error', (err) => events.push(`error ${err.code}`));
        watch.on('change', (change) => {
          events.push(change.kind);
          if (change.kind === 'invitation_removed') assert.ok(watch.teammates.has(PENDING_TM));
          if (change.kind === 'joined') resolve();
        });
      });
      assert.deepEqual(events, ['updated', 'error 503', 'invitation_removed', 'joined']);
      await watch.close();
      assert.deepEqual((await client.call('fake.log')).unwatched, ['sub-1']);
    }));

  test('an error of team.watch rejects ready and the loop', () =>
    withBridge([], async (client) => {
      const watch = client.team.watch({ interval: 1 });
      await assert.rejects(watch.ready, InvalidParams);
      await assert.rejects((async () => {
        for await (const change of watch) assert.fail(change);
      })(), InvalidParams);
      await watch.close();
    }));

  test('the bridge exiting ends the loop with BridgeClosed', async () => {
    const client = await TiledeskRPC.spawn({ binary: TEAM_BRIDGE });
    const watch = client.team.watch();
    const ended = new Promise((resolve) => watch.once('end', resolve));
    const changes = watch[Symbol.asyncIterator]();
    assert.equal((await changes.next()).value.kind, 'updated');
    await assert.rejects(changes.next(), WatchError);
    const again = watch[Symbol.asyncIterator]();
    assert.equal((await again.next()).value.kind, 'invitation_removed');
    assert.equal((await again.next()).value.kind, 'joined');
    await client.close();
    await assert.rejects(again.next(), BridgeClosed);
    assert.ok((await ended) instanceof BridgeClosed);
    await watch.close(); // nothing left to unwatch
  });
});

describe('activity pages', { concurrency: true }, () => {
  test('every item once, stopping at count', () =>
    withBridge([], async (client) => {
      const ids = [];
      for await (const a of client.activity.iterate({ limit: 3 })) ids.push(a.id);
      assert.equal(ids.length, 7);
      assert.equal(new Set(ids).size, 7);
      assert.equal(ids[0], '65f00000000000000000e007');
      const all = [];
      for await (const a of client.activity.iterate()) all.push(a.id);
      assert.deepEqual(all, ids);
    }));

  test('the next page is asked for when needed; an item that moved comes once', () =>
    withBridge([], async (client) => {
      const walk = client.activity.iterate({ limit: 3 });
      const first = [];
      for (let i = 0; i < 3; i++) first.push((await walk.next()).value.id);
      await client.call('fake.prependActivity'); // page 1 now starts with page 0's last entry
      const rest = [];
      for await (const a of walk) rest.push(a.id);
      assert.equal(first[2], '65f00000000000000000e005');
      assert.ok(!rest.includes(first[2]));
      assert.equal(first.length + rest.length, 7);
    }));
});

describe('against the sandbox, where the bridge serves each job (else skipped, saying so)', { concurrency: true }, () => {
  /** Run `body` with a sandbox client of the bridge under test; close it after. */
  async function withSandbox(body) {
    const client = await TiledeskRPC.spawn({ binary: requireBinary(), sandbox: true, timeout: 30000 });
    try {
      return await body(client);
    } finally {
      await client.close();
    }
  }

  test('team.apply reports progress', (t) =>
    withSandbox(async (client) => {
      const roster = readRoster(path.join(PACKAGE_DIR, 'examples', 'roster.csv'));
      try {
        await client.call('team.apply', { roster, dry_run: true, _meta: { progressToken: 'probe' } });
      } catch (err) {
        if (err instanceof InvalidParams) return t.skip(`SKIPPED: this bridge does not report progress yet: ${err.message}`);
        throw err;
      }
      const plan = await client.team.plan({ roster });
      const reports = [];
      const applied = await client.team.apply({ roster, fingerprint: plan.fingerprint }, { onProgress: (r) => reports.push(r) });
      const total = plan.actions.length;
      assert.ok(total > 0, 'the sample roster changes the seeded team');
      assert.equal(applied.applied.length + applied.failed.length, total);
      assert.ok(reports.length >= total, 'at least one report per finished action');
      assert.deepEqual([reports.at(-1).done, reports.at(-1).total], [total, total]);
      const done = new Set(reports.map((r) => `${r.action.action} ${r.action.email}`));
      for (const a of plan.actions) assert.ok(done.has(`${a.action} ${a.email}`), `${a.action} ${a.email}`);
    }));

  test('team.watch sees a change', (t) =>
    withSandbox(async (client) => {
      if (!(await client.discover()).methods.some((m) => m.name === 'team.watch')) {
        return t.skip('SKIPPED: this bridge has no team.watch yet (rpc.discover lacks it)');
      }
      const watch = client.team.watch({ interval: 5 });
      await watch.ready;
      assert.equal(watch.teammates.size, 4);
      assert.deepEqual([...watch.invitations.keys()], [SEED.invitation]);
      await client.team.update({ projectUserId: SEED.teammates.bob, userAvailable: true });
      let change;
      for await (change of watch) break; // the next poll finds it; leaving the loop unwatches
      assert.deepEqual([change.kind, change.teammate.id], ['updated', SEED.teammates.bob]);
      assert.deepEqual(change.fields.user_available, { from: false, to: true });
      assert.equal(watch.teammates.get(SEED.teammates.bob).user_available, true);
      await assert.rejects(client.call('team.unwatch', { subscription: watch.subscription }), InvalidParams);
    }));

  test('activity.iterate gives count entries', (t) =>
    withSandbox(async (client) => {
      let first;
      try {
        first = await client.activity.list({ limit: 1 });
      } catch (err) {
        if (err instanceof NotFound) return t.skip(`SKIPPED: this sandbox does not serve the activity log yet: ${err.message.slice(0, 80)}`);
        throw err;
      }
      const ids = [];
      for await (const entry of client.activity.iterate({ limit: 2 })) ids.push(entry.id);
      assert.equal(ids.length, first.count);
      assert.equal(new Set(ids).size, ids.length);
    }));
});
