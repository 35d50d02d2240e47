// The examples and the README snippet, run against the sandbox.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';

import { BINARY, PACKAGE_DIR, SEED, requireBinary } from '../test-support/helpers.mjs';

const run = promisify(execFile);
const EXAMPLES = path.join(PACKAGE_DIR, 'examples');

async function example(script, args) {
  requireBinary();
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(EXAMPLES, script), '--binary', BINARY, ...args], {
      timeout: 20000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('examples/bulk-invite.mjs', { concurrency: true }, () => {
  const csv = path.join(EXAMPLES, 'team.csv');

  test('a line per row, carries on past a failure, exit 1', async () => {
    const { code, stdout } = await example('bulk-invite.mjs', ['--sandbox', csv]);
    const lines = stdout.trim().split('\n');
    assert.equal(code, 1, stdout);
    assert.match(lines[0], /^ok +line 2: nina@example.com as agent: added/);
    assert.match(lines[1], /^ok +line 3: carol@example.com as supervisor: pending/);
    assert.match(lines[2], /^ok +line 4: dave@example.com as admin: pending/);
    assert.match(lines[3], /^FAIL line 5: alice@example.com as agent: Conflict 409/);
    assert.match(lines[4], /3 of 4 row\(s\) ok, 1 failed/);
  });

  test('--ensure: existing members are fine, exit 0', async () => {
    const { code, stdout } = await example('bulk-invite.mjs', ['--sandbox', '--ensure', csv]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /alice@example.com as agent: existing/);
  });

  test('--dry-run sends nothing and still reports what would fail', async () => {
    const { code, stdout } = await example('bulk-invite.mjs', ['--sandbox', '--dry-run', csv]);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /nina@example.com as agent: would send POST/);
    assert.match(stdout, /FAIL line 5: alice@example.com/);
    assert.match(stdout, /dry run: nothing was sent/);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await example('bulk-invite.mjs', ['--sandbox'])).code, 2);
    assert.equal((await example('bulk-invite.mjs', ['--sandbox', '/nonexistent.csv'])).code, 2);
  });
});

describe('examples/shift-availability.mjs', { concurrency: true }, () => {
  test('on shift: available; other agents: unavailable; owner untouched', async () => {
    const { code, stdout } = await example('shift-availability.mjs', ['--sandbox', 'bob@example.com']);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /skip owner@example.com .*owner is never changed/);
    assert.match(stdout, /set +bob@example.com .*: available/);
    assert.match(stdout, /set +alice@example.com .*: unavailable/);
    assert.match(stdout, /skip admin@example.com .*not an agent/);
  });

  test('by teammate id, --all-roles, --dry-run', async () => {
    const { code, stdout } = await example('shift-availability.mjs', [
      '--sandbox', '--dry-run', '--all-roles', `${SEED.teammates.alice},${SEED.teammates.bob}`,
    ]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /same alice@example.com .*already available/);
    assert.match(stdout, /would bob@example.com .*: available/);
    assert.match(stdout, /would admin@example.com .*: unavailable/);
    assert.match(stdout, /skip owner@example.com/);
  });

  test('an unknown name changes nothing, exit 2', async () => {
    const { code, stderr } = await example('shift-availability.mjs', ['--sandbox', 'bob@example.com', 'nobody@example.com']);
    assert.equal(code, 2);
    assert.match(stderr, /not in the team: nobody@example.com; nothing was changed/);
  });
});

describe('the README\'s five lines, from a folder of their own', () => {
  /** A folder with the package installed (linked) in node_modules; removed after the test. */
  function project(t) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiledesk-rpc-readme-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(PACKAGE_DIR, path.join(dir, 'node_modules', 'tiledesk-rpc'));
    return dir;
  }
  const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME ?? '', TILEDESK_RPC_BIN: requireBinary() });

  test('list the sandbox team', async (t) => {
    const readme = fs.readFileSync(path.join(PACKAGE_DIR, 'README.md'), 'utf8');
    const fiveLines = readme.match(/```js\n([\s\S]*?)```/)[1];
    const dir = project(t);
    fs.writeFileSync(path.join(dir, 'five-lines.mjs'), fiveLines);
    const { stdout } = await run(process.execPath, ['five-lines.mjs'], { cwd: dir, env: env(), timeout: 20000 });
    for (const id of [SEED.teammates.owner, SEED.teammates.admin, SEED.teammates.alice, SEED.teammates.bob]) {
      assert.match(stdout, new RegExp(`^${id} `, 'm'));
    }
    assert.match(stdout, new RegExp(`^${SEED.teammates.bob} agent false$`, 'm'));
  });

  test('require() from CommonJS works on this Node', async (t) => {
    const dir = project(t);
    const script = `
const { TiledeskRPC } = require('tiledesk-rpc');
TiledeskRPC.spawn({ sandbox: true }).then(async (client) => {
  console.log((await client.user.get()).email);
  await client.close();
});
`;
    fs.writeFileSync(path.join(dir, 'five-lines.cjs'), script);
    const { stdout } = await run(process.execPath, ['five-lines.cjs'], { cwd: dir, env: env(), timeout: 20000 });
    assert.equal(stdout, 'owner@example.com\n');
  });
});
