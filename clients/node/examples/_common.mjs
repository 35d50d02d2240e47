// Shared by the examples: connection options from flags and the environment.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { TiledeskRPC } from '../index.js';

const repoBuild = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..', '..', '..', '.build', 'release', 'tiledesk-rpc',
);

/** Flags every example takes (node:util parseArgs format). */
const CONNECTION_FLAGS = {
  sandbox: { type: 'boolean', default: false },
  'project-id': { type: 'string' },
  binary: { type: 'string' },
};

/**
 * Parse an example's flags: the connection flags, --dry-run (unless `dryRun` is false: an example
 * that changes nothing), the example's own `options`, and --help. Returns `{ values,
 * positionals }`, or `{ exit }` with the code the script ends with (usage printed).
 */
export function parseFlags(options, usage, { dryRun = true } = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        ...CONNECTION_FLAGS,
        ...(dryRun ? { 'dry-run': { type: 'boolean', default: false } } : {}),
        ...options,
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: true,
    });
  } catch (err) {
    console.error(`${err.message}\n${usage}`);
    return { exit: 2 };
  }
  if (parsed.values.help) {
    console.log(usage);
    return { exit: 0 };
  }
  return parsed;
}

/** Start the bridge; the TILEDESK_* variables of this shell reach it too. */
export function connect(values) {
  let binary = values.binary || process.env.TILEDESK_RPC_BIN;
  // Running from a checkout that was built: use its binary when nothing else is configured.
  if (!binary && fs.existsSync(repoBuild)) binary = repoBuild;
  return TiledeskRPC.spawn({ binary, sandbox: values.sandbox, projectId: values['project-id'] });
}

/** "Conflict 409: already a member" */
export function describeError(err) {
  if (err && typeof err.code === 'number') return `${err.name} ${err.code}: ${err.message}`;
  return String(err && err.message ? err.message : err);
}

/**
 * Run an example's `main`: what it resolves to is the exit status; an error it throws is printed
 * (a bridge refusing its settings says why in its own words) and the status is 1.
 */
export function run(main) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(describeError(err));
      process.exitCode = 1;
    },
  );
}

/** A value as the examples print it: text as it is, the rest as JSON (true, 3, null). */
export const shown = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
