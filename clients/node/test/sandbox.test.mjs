// Every helper, errors, concurrency, cancellation, timeout and a batch against the real bridge in
// sandbox mode (binary: TILEDESK_RPC_BIN, else <repo root>/.build/release/tiledesk-rpc).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  Cancelled,
  ConfigurationError,
  Conflict,
  Forbidden,
  InvalidParams,
  MethodNotFound,
  NotAuthenticated,
  NotFound,
  CallTimeout,
  TiledeskRPC,
  TiledeskRPCError,
} from '../index.js';
import { BINARY, SEED, requireBinary, sleep } from '../test-support/helpers.mjs';

const { project: P, teammates: T, users: U } = SEED;

function sandbox(extra = {}) {
  requireBinary();
  return TiledeskRPC.spawn({ binary: BINARY, sandbox: true, timeout: 15000, ...extra });
}

const ids = (list) => list.map((t) => t.id).sort();

describe('read-only helpers', () => {
  let client;
  before(async () => {
    client = await sandbox();
  });
  after(() => client && client.close());

  test('ping', async () => {
    assert.deepEqual(await client.ping(), {});
  });

  test('discover returns the OpenRPC document', async () => {
    const doc = await client.discover();
    assert.equal(typeof doc.openrpc, 'string');
    const names = doc.methods.map((m) => m.name);
    for (const m of ['auth.signin', 'user.get', 'user.update', 'project.list', 'team.list', 'team.get',
      'team.getByUser', 'team.me', 'team.invite', 'team.updateMe', 'team.update', 'team.leave', 'team.restore']) {
      assert.ok(names.includes(m), `rpc.discover lists ${m}`);
    }
  });

  test('user.get: the demo owner', async () => {
    const user = await client.user.get();
    assert.equal(user.id, U.owner);
    assert.equal(user.email, 'owner@example.com');
  });

  test('project.list: memberships with the demo project', async () => {
    const list = await client.project.list();
    assert.ok(Array.isArray(list));
    assert.ok(JSON.stringify(list).includes(P));
    assert.ok(!JSON.stringify(list).includes(SEED.otherProject));
  });

  test('team.list: the demo team, default project and explicit', async () => {
    const team = await client.team.list();
    for (const id of [T.owner, T.admin, T.alice, T.bob]) assert.ok(ids(team).includes(id), id);
    assert.deepEqual(ids(await client.team.list({ projectId: P })), ids(team));
    // results are passed through untouched: snake_case keys stay snake_case
    const bob = team.find((t) => t.id === T.bob);
    assert.equal(bob.user_available, false);
    assert.equal(bob.role, 'agent');
  });

  test('team.list filters: role, presence, status', async () => {
    assert.deepEqual(ids(await client.team.list({ role: 'agent' })), [T.alice, T.bob].sort());
    const online = ids(await client.team.list({ presence: 'online' }));
    assert.ok(online.includes(T.alice) && !online.includes(T.bob));
    const active = ids(await client.team.list({ status: 'active', includeTrashed: false }));
    assert.ok(active.includes(T.alice));
  });

  test('team.get, team.getByUser, team.me', async () => {
    assert.equal((await client.team.get({ projectId: P, projectUserId: T.alice })).id, T.alice);
    assert.equal((await client.team.get({ projectUserId: T.bob })).id, T.bob);
    assert.equal((await client.team.getByUser({ projectId: P, userId: U.alice })).id, T.alice);
    assert.equal((await client.team.me({ projectId: P })).id, T.owner);
    assert.equal((await client.team.me()).id, T.owner);
  });

  test('errors map to their classes', async () => {
    await assert.rejects(client.team.get({ projectUserId: 'not-an-id' }), (e) => {
      assert.ok(e instanceof InvalidParams && e instanceof TiledeskRPCError);
      assert.equal(e.code, -32602);
      assert.ok(e.data !== undefined, 'the offending field is in data');
      return true;
    });
    await assert.rejects(client.team.get({ projectId: P, projectUserId: T.oscar }), NotFound);
    await assert.rejects(client.team.list({ projectId: SEED.otherProject }), (e) => e instanceof Forbidden || e instanceof NotFound);
    await assert.rejects(client.call('no.such.method', {}), (e) => e instanceof MethodNotFound && e.code === -32601);
    await assert.rejects(client.team.list({ role: 'owner-ish' }), InvalidParams);
    await assert.rejects(client.call('team.list', { unknown_param: 1 }), InvalidParams);
  });
});

describe('mutating helpers', () => {
  let client;
  before(async () => {
    client = await sandbox();
  });
  after(() => client && client.close());

  test('user.update: dry run, then for real', async () => {
    const dry = await client.user.update({ firstname: 'Olive', dryRun: true });
    assert.equal(dry.dry_run, true);
    assert.equal(dry.request.method, 'PUT');
    assert.equal((await client.user.get()).firstname, 'Olivia');
    const updated = await client.user.update({ firstname: 'Olive', publicEmail: 'olive@example.com' });
    assert.equal(updated.firstname, 'Olive');
    assert.equal((await client.user.get()).firstname, 'Olive');
  });

  test('team.invite: added, pending, conflict, existing, oneself, dry run', async () => {
    const dry = await client.team.invite({ email: 'dry@example.com', role: 'agent', dryRun: true });
    assert.equal(dry.dry_run, true);
    assert.equal(dry.request.method, 'POST');
    const added = await client.team.invite({ projectId: P, email: 'nina@example.com', role: 'agent', userAvailable: false });
    assert.equal(added.status, 'added');
    assert.ok(added.teammate.id);
    const pending = await client.team.invite({ email: 'someone-new@example.com', role: 'supervisor' });
    assert.equal(pending.status, 'pending');
    assert.ok(pending.invitation);
    await assert.rejects(client.team.invite({ email: 'alice@example.com', role: 'agent' }), Conflict);
    await assert.rejects(client.team.invite({ email: 'pending@example.com', role: 'agent' }), Conflict);
    const existing = await client.team.invite({ email: 'alice@example.com', role: 'agent', ensure: true });
    assert.equal(existing.status, 'existing');
    assert.equal(existing.teammate.id, T.alice);
    await assert.rejects(client.team.invite({ email: 'owner@example.com', role: 'agent' }), Forbidden);
    await assert.rejects(client.team.invite({ email: 'not an email', role: 'agent' }), InvalidParams);
  });

  test('team.update: availability, attributes untouched, owner protected', async () => {
    const dry = await client.team.update({ projectUserId: T.bob, userAvailable: true, dryRun: true });
    assert.equal(dry.dry_run, true);
    assert.equal((await client.team.get({ projectUserId: T.bob })).user_available, false);
    const bob = await client.team.update({
      projectId: P,
      projectUserId: T.bob,
      userAvailable: true,
      maxAssignedChat: 4,
      attributes: { shiftPlan: { weekDays: ['mon'] } },
    });
    assert.equal(bob.user_available, true);
    assert.deepEqual(bob.attributes.shiftPlan, { weekDays: ['mon'] });
    await assert.rejects(client.team.update({ projectUserId: T.owner, role: 'agent' }), Forbidden);
    await assert.rejects(client.team.update({ projectUserId: T.owner, role: 'agent', dryRun: true }), Forbidden);
    await assert.rejects(client.team.update({ projectUserId: T.oscar, userAvailable: false }), NotFound);
  });

  test('team.updateMe', async () => {
    const me = await client.team.updateMe({ maxAssignedChat: 7, userAvailable: true });
    assert.equal(me.id, T.owner);
    assert.equal(me.max_assigned_chat, 7);
  });

  test('team.leave (trash) and team.restore', async () => {
    const dry = await client.team.leave({ projectUserId: T.alice, mode: 'trash', dryRun: true });
    assert.equal(dry.dry_run, true);
    assert.equal(dry.request.method, 'DELETE');
    await client.team.leave({ projectId: P, projectUserId: T.alice, mode: 'trash' });
    assert.ok(!ids(await client.team.list()).includes(T.alice));
    assert.ok(ids(await client.team.list({ includeTrashed: true })).includes(T.alice));
    const restored = await client.team.restore({ projectId: P, projectUserId: T.alice });
    assert.equal(restored.id, T.alice);
    assert.ok(ids(await client.team.list()).includes(T.alice));
    await assert.rejects(client.team.restore({ projectUserId: T.alice }), Conflict);
    await assert.rejects(client.team.leave({ projectUserId: T.owner }), Forbidden);
  });

  test('auth.signin switches the caller', async () => {
    const out = await client.auth.signin({ email: 'alice@example.com', password: SEED.password });
    assert.equal(typeof out.token, 'string');
    assert.equal(out.user.email, 'alice@example.com');
    assert.equal((await client.user.get()).id, U.alice);
    assert.equal((await client.team.me()).id, T.alice);
    await assert.rejects(client.auth.signin({ email: 'alice@example.com', password: 'wrong' }), NotAuthenticated);
  });
});

describe('configuration reaches the bridge', () => {
  test('token and project id options', async () => {
    const client = await sandbox({ token: 'sandbox-token-bob', projectId: P });
    try {
      assert.equal((await client.user.get()).id, U.bob);
      assert.equal((await client.team.me()).id, T.bob);
      // an agent cannot change a teammate's role
      await assert.rejects(client.team.update({ projectUserId: T.alice, role: 'admin' }), Forbidden);
    } finally {
      await client.close();
    }
  });

  test('--sandbox as a flag works too', async () => {
    requireBinary();
    const client = await TiledeskRPC.spawn({ binary: BINARY, args: ['--sandbox'] });
    try {
      assert.equal((await client.user.get()).id, U.owner);
    } finally {
      await client.close();
    }
  });

  test('no credentials: NotAuthenticated', async () => {
    requireBinary();
    const client = await TiledeskRPC.spawn({ binary: BINARY, apiUrl: 'http://127.0.0.1:9', retries: 0, timeout: 20000 });
    try {
      await assert.rejects(client.user.get(), NotAuthenticated);
    } finally {
      await client.close();
    }
  });

  test('a refused setting rejects spawn with ConfigurationError and the bridge\'s own message', async () => {
    requireBinary();
    await assert.rejects(TiledeskRPC.spawn({ binary: BINARY, args: ['--no-such-flag'] }), (e) => {
      assert.ok(e instanceof ConfigurationError);
      assert.match(e.message, /--no-such-flag/);
      assert.equal(e.exitCode, 2);
      return true;
    });
    await assert.rejects(TiledeskRPC.spawn({ binary: BINARY, projectId: 'not-an-id' }), (e) => {
      assert.ok(e instanceof ConfigurationError);
      assert.equal(e.message, 'tiledesk-rpc: project id must be 24 hexadecimal characters, not not-an-id');
      return true;
    });
  });
});

describe('concurrency, cancellation, batch', () => {
  test('many concurrent calls each get their own answer', async () => {
    const client = await sandbox();
    try {
      const wanted = [];
      for (let i = 0; i < 10; i++) for (const id of Object.values(T).filter((t) => t !== T.oscar)) wanted.push(id);
      const got = await Promise.all(wanted.map((id) => client.team.get({ projectUserId: id })));
      assert.deepEqual(got.map((t) => t.id), wanted);
      const mixed = await Promise.all([client.ping(), client.user.get(), client.team.me(), client.team.list({ role: 'agent' })]);
      assert.deepEqual(mixed[0], {});
      assert.equal(mixed[1].id, U.owner);
      assert.equal(mixed[2].id, T.owner);
      assert.equal(mixed[3].length, 2);
    } finally {
      await client.close();
    }
  });

  test('AbortSignal cancels on the bridge; the late -32800 is ignored', async () => {
    const wire = [];
    const client = await sandbox({
      args: ['--sandbox-latency', '2'],
      trace: (dir, line) => wire.push([dir, JSON.parse(line)]),
    });
    wire.length = 0; // the start-up ping and its answer
    const unmatched = [];
    client.on('message', (m) => unmatched.push(m));
    try {
      const ac = new AbortController();
      const t0 = Date.now();
      const p = client.team.list({}, { signal: ac.signal });
      setTimeout(() => ac.abort(new Error('user pressed stop')), 100);
      await assert.rejects(p, (e) => e instanceof Cancelled && e.code === -32800 && e.cause.message === 'user pressed stop');
      assert.ok(Date.now() - t0 < 1500, 'rejected at once, not after the latency');
      const id = wire[0][1].id;
      assert.ok(wire.some(([d, m]) => d === 'send' && m.method === '$/cancelRequest' && m.params.id === id));
      // the bridge answers the cancelled request -32800; the client drops it quietly
      const deadline = Date.now() + 5000;
      while (!wire.some(([d, m]) => d === 'recv' && m.id === id) && Date.now() < deadline) await sleep(25);
      const late = wire.find(([d, m]) => d === 'recv' && m.id === id);
      assert.ok(late, 'the bridge answered the cancelled request');
      assert.equal(late[1].error.code, -32800);
      assert.deepEqual(unmatched, []);
      assert.ok(Array.isArray(await client.team.list()), 'the bridge goes on serving');
    } finally {
      await client.close();
    }
  });

  test('timeout rejects CallTimeout and cancels on the bridge', async () => {
    const sent = [];
    const client = await sandbox({
      args: ['--sandbox-latency', '2'],
      trace: (dir, line) => dir === 'send' && sent.push(JSON.parse(line)),
    });
    sent.length = 0; // the start-up ping
    try {
      const t0 = Date.now();
      await assert.rejects(client.user.get({ timeout: 200 }), (e) => e instanceof CallTimeout && e instanceof Cancelled);
      assert.ok(Date.now() - t0 < 1500);
      assert.deepEqual(sent[1], { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: sent[0].id } });
    } finally {
      await client.close();
    }
  });

  test('a batch: outcomes in input order, per-member errors', async () => {
    const client = await sandbox();
    try {
      const outcomes = await client.batch([
        { method: 'team.get', params: { project_user_id: T.alice } },
        { method: 'team.get', params: { project_user_id: 'bad' } },
        { method: 'ping' },
        { method: 'user.get' },
        { method: 'team.get', params: { project_user_id: T.oscar } },
        { method: 'no.such.method' },
      ]);
      assert.equal(outcomes.length, 6);
      assert.equal(outcomes[0].result.id, T.alice);
      assert.ok(outcomes[1].error instanceof InvalidParams);
      assert.deepEqual(outcomes[2], { result: {} });
      assert.equal(outcomes[3].result.id, U.owner);
      assert.ok(outcomes[4].error instanceof NotFound);
      assert.ok(outcomes[5].error instanceof MethodNotFound);
    } finally {
      await client.close();
    }
  });
});
