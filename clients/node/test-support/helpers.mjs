// Shared by the test files (kept outside test/ so `node --test clients/node/test/` only runs tests).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { JSONNumber } from './lossless-json.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** clients/node */
export const PACKAGE_DIR = path.resolve(here, '..');
/** The repository root (clients/node/../..). */
export const REPO_ROOT = path.resolve(PACKAGE_DIR, '..', '..');
/** The bridge under test: TILEDESK_RPC_BIN, else <repo root>/.build/release/tiledesk-rpc. */
export const BINARY =
  process.env.TILEDESK_RPC_BIN || path.join(REPO_ROOT, '.build', 'release', 'tiledesk-rpc');
/** The vectors to run (TILEDESK_VECTORS_DIR overrides, e.g. to try a vector being written). */
export const VECTORS_DIR = process.env.TILEDESK_VECTORS_DIR || path.join(REPO_ROOT, 'protocol', 'vectors');

/** Fails (once, with the build hint) when the bridge under test is missing. */
export function requireBinary() {
  try {
    fs.accessSync(BINARY, fs.constants.X_OK);
  } catch {
    throw new Error(
      `bridge not found at ${BINARY}: build it with \`swift build -c release\` at ${REPO_ROOT}, ` +
        'or set TILEDESK_RPC_BIN',
    );
  }
  return BINARY;
}

// Seed data of the sandbox (protocol/sandbox.md).
export const SEED = Object.freeze({
  project: '65f000000000000000000001',
  otherProject: '65f000000000000000000002',
  users: {
    owner: '65f0000000000000000000a1',
    admin: '65f0000000000000000000a2',
    alice: '65f0000000000000000000a3',
    bob: '65f0000000000000000000a4',
    nina: '65f0000000000000000000a5',
    oscar: '65f0000000000000000000a6',
  },
  teammates: {
    owner: '65f0000000000000000000b1',
    admin: '65f0000000000000000000b2',
    alice: '65f0000000000000000000b3',
    bob: '65f0000000000000000000b4',
    oscar: '65f0000000000000000000b6',
  },
  invitation: '65f0000000000000000000c1',
  password: 'demo-password',
});

let tmpDir;
let counter = 0;
/**
 * Write an executable node script (a fake bridge) to a temporary directory; returns its path.
 * The shebang names this very node, so it runs in the client's clean environment too.
 */
export function writeFakeBinary(name, source) {
  if (!tmpDir) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiledesk-rpc-node-test-'));
    process.on('exit', () => fs.rmSync(tmpDir, { recursive: true, force: true }));
  }
  const file = path.join(tmpDir, `${name}-${process.pid}-${counter++}`);
  fs.writeFileSync(file, `#!${process.execPath}\n${source}\n`, { mode: 0o755 });
  return file;
}

/**
 * Source for a fake bridge: answers the client's start-up ping (its first line) with `{}`, then
 * calls `next(rest)` with whatever came after that line, and hands later input to `onData`.
 */
export const HANDSHAKE = `
function afterHandshake(next) {
  let buffer = '';
  const onData = (chunk) => {
    buffer += chunk;
    const nl = buffer.indexOf('\\n');
    if (nl === -1) return;
    process.stdin.off('data', onData);
    const { id } = JSON.parse(buffer.slice(0, nl));
    process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id, result: {} }) + '\\n');
    next(buffer.slice(nl + 1));
  };
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', onData);
}
`;

/** A fake binary running test-support/<script>. */
export function fakeFromScript(script) {
  const target = path.join(here, script);
  return writeFakeBinary(path.basename(script, '.mjs'), `await import(${JSON.stringify(target)});`);
}

// ---- the vector matcher (protocol/vectors/README.md) --------------------------------------

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JSONNumber);

/**
 * `expected` matches `actual`: objects by the keys of expected (`{}` only matches `{}`), arrays
 * element by element (same length), everything else as equal JSON values.
 */
export function matches(expected, actual) {
  if (isObject(expected)) {
    if (!isObject(actual)) return false;
    const keys = Object.keys(expected);
    if (keys.length === 0) return Object.keys(actual).length === 0;
    return keys.every((k) => Object.prototype.hasOwnProperty.call(actual, k) && matches(expected[k], actual[k]));
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => matches(e, actual[i]))
    );
  }
  if (expected instanceof JSONNumber || actual instanceof JSONNumber || typeof expected === 'number') {
    // numbers by value, exactly (1 matches 1.0; a 30-digit integer keeps every digit)
    const canon = (v) => (v instanceof JSONNumber ? v.canonical : typeof v === 'number' ? new JSONNumber(String(v)).canonical : NaN);
    const a = canon(expected);
    return typeof a === 'string' && a === canon(actual);
  }
  if (typeof expected !== typeof actual) return false;
  return expected === actual; // strings, booleans, null
}

/** A whole line: a batch array matches element by element in any order. */
export function matchesLine(expected, actual) {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && assignment(expected, actual, matches);
  }
  return matches(expected, actual);
}

/** True when every expected item can be paired with a distinct actual item. */
export function assignment(expected, actual, match) {
  const used = new Array(actual.length).fill(false);
  const go = (i) => {
    if (i === expected.length) return true;
    for (let j = 0; j < actual.length; j++) {
      if (!used[j] && match(expected[i], actual[j])) {
        used[j] = true;
        if (go(i + 1)) return true;
        used[j] = false;
      }
    }
    return false;
  };
  return go(0);
}

// ---- a raw line-level bridge process -------------------------------------------------------

/** Spawn a binary and read its stdout line by line (for the vectors and framing checks). */
export function rawBridge(binary, args, env = { PATH: process.env.PATH, HOME: process.env.HOME ?? '' }) {
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
  const lines = [];
  const waiters = [];
  let buffer = '';
  let stderr = '';
  let ended = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
    flush();
  });
  child.stdout.on('end', () => {
    ended = true;
    flush();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  child.stdin.on('error', () => {});
  const exit = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  function flush() {
    while (waiters.length && (lines.length || ended)) {
      const w = waiters.shift();
      clearTimeout(w.timer);
      if (lines.length) w.resolve(lines.shift());
      else w.reject(new Error(`stdout ended; stderr:\n${stderr.slice(-2000)}`));
    }
  }
  return {
    child,
    exit,
    get stderr() {
      return stderr;
    },
    get partial() {
      return buffer;
    },
    remaining: () => lines.splice(0),
    send(text) {
      child.stdin.write(text + '\n');
    },
    readLine(timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const w = { resolve, reject };
        w.timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no line within ${timeoutMs} ms; stderr:\n${stderr.slice(-2000)}`));
        }, timeoutMs);
        waiters.push(w);
        flush();
      });
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/** Resolve after ms. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
