// What the client puts on the wire, checked against a fake bridge that echoes every request
// (test-support/echo-bridge.mjs), plus the client-side machinery: ids, concurrency, batch
// ordering, abort and timeout, clean environment, finding the binary.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import fs from 'node:fs';
import path from 'node:path';

import * as rpc from '../index.js';
import { PACKAGE_DIR, fakeFromScript, sleep } from '../test-support/helpers.mjs';

const { BridgeNotFound, CallTimeout, Cancelled, InvalidRequest, NotFound, TiledeskRPC, TiledeskRPCError, errorFromWire, toWire } = rpc;

const ECHO = fakeFromScript('echo-bridge.mjs');

describe('helpers send the contract names', () => {
  let client;
  before(async () => {
    client = await TiledeskRPC.spawn({ binary: ECHO });
  });
  after(() => client.close());

  const P = '65f000000000000000000001';
  const T = '65f0000000000000000000b3';
  const cases = [
    ['user.get', (c) => c.user.get(), undefined],
    [
      'user.update',
      (c) =>
        c.user.update({
          firstname: 'Ann',
          publicEmail: 'a@x.io',
          publicWebsite: 'https://x.io',
          attributes: { someKey: { innerKey: 1 } },
          phone: undefined,
          dryRun: true,
        }),
      {
        firstname: 'Ann',
        public_email: 'a@x.io',
        public_website: 'https://x.io',
        attributes: { someKey: { innerKey: 1 } },
        dry_run: true,
      },
    ],
    ['project.list', (c) => c.project.list(), undefined],
    [
      'team.list',
      (c) => c.team.list({ projectId: P, role: 'agent', status: 'active', presence: 'online', includeTrashed: true }),
      { project_id: P, role: 'agent', status: 'active', presence: 'online', include_trashed: true },
    ],
    ['team.list', (c) => c.team.list(), {}],
    ['team.get', (c) => c.team.get({ projectId: P, projectUserId: T }), { project_id: P, project_user_id: T }],
    [
      'team.getByUser',
      (c) => c.team.getByUser({ projectId: P, userId: '65f0000000000000000000a3' }),
      { project_id: P, user_id: '65f0000000000000000000a3' },
    ],
    ['team.me', (c) => c.team.me({ projectId: P }), { project_id: P }],
    [
      'team.invite',
      (c) =>
        c.team.invite({ projectId: P, email: 'x@y.io', role: 'agent', userAvailable: false, ensure: true, dryRun: true }),
      { project_id: P, email: 'x@y.io', role: 'agent', user_available: false, ensure: true, dry_run: true },
    ],
    [
      'team.update',
      (c) =>
        c.team.update({
          projectId: P,
          projectUserId: T,
          role: 'supervisor',
          userAvailable: true,
          maxAssignedChat: 3,
          profileStatus: 'busy',
          status: 'active',
          attributes: { camelCase: { nestedKey: [1, 'two'] } },
          settings: { email: { notification: { conversation: { assigned: { toyou: false }, pooled: true } } } },
          dryRun: false,
        }),
      {
        project_id: P,
        project_user_id: T,
        role: 'supervisor',
        user_available: true,
        max_assigned_chat: 3,
        profileStatus: 'busy',
        status: 'active',
        attributes: { camelCase: { nestedKey: [1, 'two'] } },
        settings: { email: { notification: { conversation: { assigned: { toyou: false }, pooled: true } } } },
        dry_run: false,
      },
    ],
    [
      'team.updateMe',
      (c) => c.team.updateMe({ projectId: P, maxServedChat: 2, userAvailable: false, dryRun: true }),
      { project_id: P, max_served_chat: 2, user_available: false, dry_run: true },
    ],
    [
      'team.leave',
      (c) => c.team.leave({ projectId: P, projectUserId: T, mode: 'trash', dryRun: true }),
      { project_id: P, project_user_id: T, mode: 'trash', dry_run: true },
    ],
    [
      'team.restore',
      (c) => c.team.restore({ projectId: P, projectUserId: T, dryRun: true }),
      { project_id: P, project_user_id: T, dry_run: true },
    ],
    [
      'auth.signin',
      (c) => c.auth.signin({ email: 'alice@example.com', password: 'pw' }),
      { email: 'alice@example.com', password: 'pw' },
    ],
    ['rpc.discover', (c) => c.discover(), undefined],
  ];
  for (const [method, invoke, params] of cases) {
    test(`${method} ${params ? JSON.stringify(Object.keys(params)) : '(no params)'}`, async () => {
      const echoed = await invoke(client);
      assert.equal(echoed.method, method);
      assert.equal(echoed.has_params, params !== undefined);
      if (params !== undefined) assert.deepEqual(echoed.params, params);
    });
  }

  test('ping', async () => {
    assert.deepEqual(await client.ping(), {});
  });

  test('call sends params untouched and results come back untouched', async () => {
    const params = { projectId: 'kept', some_key: { camelKey: 1 } };
    const echoed = await client.call('custom.method', params);
    assert.deepEqual(echoed, { method: 'custom.method', params, has_params: true });
  });

  test('toWire renames only the documented names and drops undefined', () => {
    assert.deepEqual(toWire({ projectId: 'p', profileStatus: 'x', other: undefined, settings: { dryRun: 1 } }), {
      project_id: 'p',
      profileStatus: 'x',
      settings: { dryRun: 1 },
    });
    assert.deepEqual(toWire(undefined), {});
    assert.throws(() => toWire('x'), TypeError);
  });
});

describe('client machinery', () => {
  test('concurrent calls resolve by id whatever the answer order', async () => {
    const client = await TiledeskRPC.spawn({ binary: ECHO });
    try {
      const results = await Promise.all([
        client.call('sleep', { ms: 300 }),
        client.call('sleep', { ms: 10 }),
        client.call('sleep', { ms: 150 }),
        client.ping(),
      ]);
      assert.deepEqual(results, [{ slept: 300 }, { slept: 10 }, { slept: 150 }, {}]);
    } finally {
      await client.close();
    }
  });

  test('batch: one line out, outcomes in input order, errors per member', async () => {
    const sent = [];
    const client = await TiledeskRPC.spawn({ binary: ECHO, trace: (dir, line) => dir === 'send' && sent.push(line) });
    sent.length = 0; // the start-up ping
    try {
      const outcomes = await client.batch([
        { method: 'sleep', params: { ms: 200 } },
        { method: 'fail', params: { code: 404, message: 'nope', data: { retryable: false } } },
        { method: 'ping' },
      ]);
      assert.equal(sent.length, 1);
      assert.ok(Array.isArray(JSON.parse(sent[0])));
      assert.deepEqual(outcomes[0], { result: { slept: 200 } });
      assert.ok(outcomes[1].error instanceof NotFound);
      assert.equal(outcomes[1].error.message, 'nope');
      assert.deepEqual(outcomes[2], { result: {} });
      assert.deepEqual(await client.batch([]), []);
    } finally {
      await client.close();
    }
  });

  test('abort: rejects Cancelled at once, sends $/cancelRequest, drops the late -32800', async () => {
    const wire = [];
    const unmatched = [];
    const client = await TiledeskRPC.spawn({ binary: ECHO, trace: (dir, line) => wire.push([dir, JSON.parse(line)]) });
    wire.length = 0; // the start-up ping and its answer
    client.on('message', (m) => unmatched.push(m));
    try {
      const ac = new AbortController();
      const p = client.call('sleep', { ms: 5000 }, { signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      const t0 = Date.now();
      await assert.rejects(p, (e) => e instanceof Cancelled && e.code === -32800);
      assert.ok(Date.now() - t0 < 1000);
      const id = wire[0][1].id;
      await client.ping(); // the late answer arrives before this one
      await sleep(50);
      assert.deepEqual(
        wire.find(([d, m]) => d === 'send' && m.method === '$/cancelRequest')[1],
        { jsonrpc: '2.0', method: '$/cancelRequest', params: { id } },
      );
      assert.ok(wire.some(([d, m]) => d === 'recv' && m.id === id && m.error && m.error.code === -32800));
      assert.deepEqual(unmatched, []);
      // an already aborted signal sends nothing
      const before = wire.length;
      await assert.rejects(client.ping({ signal: AbortSignal.abort() }), Cancelled);
      assert.equal(wire.length, before);
    } finally {
      await client.close();
    }
  });

  test('timeout: per call and the client default; CallTimeout is a Cancelled', async () => {
    const sent = [];
    const client = await TiledeskRPC.spawn({
      binary: ECHO,
      timeout: 100,
      trace: (dir, line) => dir === 'send' && sent.push(JSON.parse(line)),
    });
    try {
      await assert.rejects(client.call('sleep', { ms: 3000 }), (e) => e instanceof CallTimeout && e instanceof Cancelled);
      await assert.rejects(client.call('sleep', { ms: 3000 }, { timeout: 50 }), CallTimeout);
      assert.deepEqual(await client.call('sleep', { ms: 300 }, { timeout: 0 }), { slept: 300 });
      assert.deepEqual(await client.call('sleep', { ms: 200 }, { timeout: 2000 }), { slept: 200 });
      assert.equal(sent.filter((m) => m.method === '$/cancelRequest').length, 2);
    } finally {
      await client.close();
    }
  });

  test('batch abort cancels every member', async () => {
    const sent = [];
    const client = await TiledeskRPC.spawn({ binary: ECHO, trace: (dir, line) => dir === 'send' && sent.push(JSON.parse(line)) });
    sent.length = 0; // the start-up ping
    try {
      await assert.rejects(
        client.batch([{ method: 'sleep', params: { ms: 3000 } }, { method: 'sleep', params: { ms: 3000 } }], { timeout: 50 }),
        CallTimeout,
      );
      const ids = sent[0].map((m) => m.id);
      assert.deepEqual(
        sent.filter((m) => m.method === '$/cancelRequest').map((m) => m.params.id),
        ids,
      );
      assert.deepEqual(await client.ping(), {});
    } finally {
      await client.close();
    }
  });

  test('the child environment: basics, the caller\'s TILEDESK_* unless opted out, the settings, env', async () => {
    const caller = { TILEDESK_TOKEN: 'from-caller', TILEDESK_LOG_LEVEL: 'info', TILEDESK_RPC_BIN: ECHO, SOME_PARENT_SECRET: 'x' };
    const saved = Object.fromEntries(Object.keys(caller).map((k) => [k, process.env[k]]));
    Object.assign(process.env, caller);
    const tiledesk = (env) => Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('TILEDESK_')));
    const envOf = async (options) => {
      const client = await TiledeskRPC.spawn({ binary: ECHO, ...options });
      try {
        return await client.call('env');
      } finally {
        await client.close();
      }
    };
    try {
      const env = await envOf({
        apiUrl: 'http://localhost:8081/api',
        token: 'tok',
        email: 'e@x.io',
        password: 'pw',
        projectId: '65f000000000000000000001',
        logLevel: 'debug',
        upstreamTimeout: 7,
        retries: 0,
        maxRate: 2.5,
        env: { EXTRA: '1', HOME: null },
      });
      assert.deepEqual(tiledesk(env), {
        TILEDESK_API_URL: 'http://localhost:8081/api',
        TILEDESK_TOKEN: 'tok',
        TILEDESK_EMAIL: 'e@x.io',
        TILEDESK_PASSWORD: 'pw',
        TILEDESK_PROJECT_ID: '65f000000000000000000001',
        TILEDESK_LOG_LEVEL: 'debug',
        TILEDESK_TIMEOUT: '7',
        TILEDESK_RETRIES: '0',
        TILEDESK_MAX_RATE: '2.5',
      });
      assert.equal(env.EXTRA, '1');
      assert.equal(env.HOME, undefined);
      assert.equal(env.PATH, process.env.PATH);
      assert.equal(env.SOME_PARENT_SECRET, undefined);
      assert.deepEqual(tiledesk(await envOf({})), { TILEDESK_TOKEN: 'from-caller', TILEDESK_LOG_LEVEL: 'info' });
      assert.deepEqual(tiledesk(await envOf({ sandbox: true })), { TILEDESK_SANDBOX: '1', TILEDESK_LOG_LEVEL: 'info' });
      assert.deepEqual(tiledesk(await envOf({ inheritSettings: false, retries: 1 })), { TILEDESK_RETRIES: '1' });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('extra flags reach the bridge', async () => {
    const client = await TiledeskRPC.spawn({ binary: ECHO, args: ['--sandbox-latency', '2'] });
    try {
      assert.deepEqual(await client.call('args'), ['--sandbox-latency', '2']);
    } finally {
      await client.close();
    }
  });

  test('a missing binary is a clear error saying how to build it', async () => {
    await assert.rejects(TiledeskRPC.spawn({ binary: '/nonexistent/tiledesk-rpc' }), (e) => {
      assert.ok(e instanceof BridgeNotFound);
      assert.match(e.message, /\/nonexistent\/tiledesk-rpc/);
      assert.match(e.message, /swift build -c release/);
      assert.match(e.message, /\.build\/release\/tiledesk-rpc/);
      return true;
    });
    const saved = { bin: process.env.TILEDESK_RPC_BIN, path: process.env.PATH };
    delete process.env.TILEDESK_RPC_BIN;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(TiledeskRPC.spawn(), (e) => e instanceof BridgeNotFound && /TILEDESK_RPC_BIN/.test(e.message));
      process.env.TILEDESK_RPC_BIN = ECHO;
      const c = await TiledeskRPC.spawn();
      assert.deepEqual(await c.ping(), {});
      await c.close();
    } finally {
      process.env.PATH = saved.path;
      if (saved.bin === undefined) delete process.env.TILEDESK_RPC_BIN;
      else process.env.TILEDESK_RPC_BIN = saved.bin;
    }
  });

  test('a request over the line limit is refused locally (its -32600 could not be matched)', async () => {
    const client = await TiledeskRPC.spawn({ binary: ECHO, args: ['--max-line-bytes', '100'] });
    try {
      await assert.rejects(client.call('x', { s: 'a'.repeat(200) }), InvalidRequest);
      assert.deepEqual(await client.ping(), {});
    } finally {
      await client.close();
    }
  });

  test('bad arguments are TypeErrors', async () => {
    const client = await TiledeskRPC.spawn({ binary: ECHO });
    try {
      await assert.rejects(client.call(''), TypeError);
      await assert.rejects(client.call('x', 'str'), TypeError);
      await assert.rejects(client.batch([{ params: {} }]), TypeError);
      await assert.rejects(client.team.list('x'), TypeError);
    } finally {
      await client.close();
    }
  });

  test('calls after close reject BridgeClosed', async () => {
    const client = await TiledeskRPC.spawn({ binary: ECHO });
    const exit = await client.close();
    assert.deepEqual(exit, { code: 0, signal: null });
    await assert.rejects(client.ping(), (e) => e.name === 'BridgeClosed');
    assert.equal(await client.close(), exit);
  });
});

test('every code in the README\'s error table maps to the class it names', () => {
  const readme = fs.readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `(\w+)`(?: \([^)]*\))? \| (-?\d+)(?:…(-?\d+))? \|/gm)];
  assert.ok(rows.length > 0, 'the README has an error table');
  for (const [, name, code] of rows) {
    const e = errorFromWire({ code: Number(code), message: 'm', data: { retryable: code === '503' } });
    if (name === 'CallTimeout' || name === 'BridgeClosed') continue; // client side: never on the wire
    assert.equal(e.constructor, rpc[name], `${code} → ${name}`);
    assert.ok(e instanceof TiledeskRPCError && e instanceof Error);
    assert.deepEqual([e.code, e.message, e.name, e.retryable], [Number(code), 'm', name, code === '503']);
  }
  assert.equal(errorFromWire({ code: -32001, message: 'm' }).constructor, rpc.ServerError);
  assert.equal(errorFromWire({ code: 429, message: 'slow', data: { retry_after: 7 } }).retryAfter, 7);
  const odd = errorFromWire({ code: 418, message: 'teapot' });
  assert.equal(odd.constructor, TiledeskRPCError);
  assert.equal(odd.code, 418);
});

test('every error class is declared in index.d.ts', () => {
  const declarations = fs.readFileSync(path.join(PACKAGE_DIR, 'index.d.ts'), 'utf8');
  for (const [name, value] of Object.entries(rpc)) {
    if (typeof value === 'function' && value.prototype instanceof Error) {
      assert.match(declarations, new RegExp(`^export class ${name} extends \\w+ \\{`, 'm'), name);
    }
  }
});
