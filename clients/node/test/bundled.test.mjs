// Finding the binary a package built by `make dist` bundles at bin/tiledesk-rpc.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { PACKAGE_DIR } from '../test-support/helpers.mjs';

/** An executable shell script at `file`. */
function executable(file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return file;
}

describe('the bundled binary', () => {
  const saved = { bin: process.env.TILEDESK_RPC_BIN, path: process.env.PATH };
  let root;
  let packaged;
  let onPath;

  before(() => {
    // A copy of the package as `make dist` packs it: the sources plus bin/tiledesk-rpc.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tiledesk-rpc-bundled-'));
    packaged = path.join(root, 'package');
    for (const entry of ['package.json', 'index.js', 'src']) {
      fs.cpSync(path.join(PACKAGE_DIR, entry), path.join(packaged, entry), { recursive: true });
    }
    executable(path.join(packaged, 'bin', 'tiledesk-rpc'));
    onPath = executable(path.join(root, 'on-path', 'tiledesk-rpc'));
    delete process.env.TILEDESK_RPC_BIN;
    process.env.PATH = path.dirname(onPath);
  });

  after(() => {
    process.env.PATH = saved.path;
    if (saved.bin === undefined) delete process.env.TILEDESK_RPC_BIN;
    else process.env.TILEDESK_RPC_BIN = saved.bin;
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('comes after TILEDESK_RPC_BIN and before PATH', async () => {
    const { resolveBinary } = await import(pathToFileURL(path.join(packaged, 'index.js')).href);
    assert.equal(resolveBinary(), path.join(packaged, 'bin', 'tiledesk-rpc'));
    process.env.TILEDESK_RPC_BIN = onPath;
    try {
      assert.equal(resolveBinary(), onPath);
    } finally {
      delete process.env.TILEDESK_RPC_BIN;
    }
  });

  test('is absent from a source checkout, which finds the binary on PATH', async () => {
    const { resolveBinary } = await import(pathToFileURL(path.join(PACKAGE_DIR, 'index.js')).href);
    assert.equal(fs.existsSync(path.join(PACKAGE_DIR, 'bin', 'tiledesk-rpc')), false);
    assert.equal(resolveBinary(), onPath);
  });
});
