// Shared by the examples: connection options from flags and the environment.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { TiledeskRPC } from '../index.js';

const repoBuild = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..', '..', '..', '.build', 'release', 'tiledesk-rpc',
);

/** Flags every example takes (node:util parseArgs format). */
export const CONNECTION_FLAGS = {
  sandbox: { type: 'boolean', default: false },
  'project-id': { type: 'string' },
  binary: { type: 'string' },
};

/**
 * Start the bridge. The client passes no environment through on its own, so the TILEDESK_*
 * settings of this shell are handed over explicitly here.
 */
export function connect(values) {
  const env = process.env;
  let binary = values.binary || env.TILEDESK_RPC_BIN;
  // Running from a checkout that was built: use its binary when nothing else is configured.
  if (!binary && fs.existsSync(repoBuild)) binary = repoBuild;
  return TiledeskRPC.spawn({
    binary,
    sandbox: values.sandbox || env.TILEDESK_SANDBOX === '1',
    apiUrl: env.TILEDESK_API_URL,
    token: env.TILEDESK_TOKEN,
    email: env.TILEDESK_EMAIL,
    password: env.TILEDESK_PASSWORD,
    projectId: values['project-id'] || env.TILEDESK_PROJECT_ID,
  });
}

/** "Conflict 409: already a member" */
export function describeError(err) {
  if (err && typeof err.code === 'number') return `${err.name} ${err.code}: ${err.message}`;
  return String(err && err.message ? err.message : err);
}
