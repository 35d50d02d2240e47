// A fake bridge for the jobs built on notifications and pages, as the protocol specifies them:
// `team.apply` reporting progress, `team.watch` / `team.unwatch` and their notifications,
// `activity.list` pages. Tests and example runs use it where the real bridge does not serve these
// yet, and to script what a real one does only by chance. (The Python suite's
// tests/fakes/team_bridge.py is its twin.)
//
// The team: the sandbox's four teammates and its pending invitation (protocol/sandbox.md).
//
//   team.plan / team.apply {roster, fingerprint?, dry_run?}: an `invite` for an address neither a
//       teammate nor invited, an `update` for a role or availability that differs (a dry run of
//       apply answers the plan). Apply carries them out
//       in order (fail@example.com fails with 502), sends `$/progress` {done, total, action} after
//       each when the params carry _meta.progressToken, and after inviting hold@example.com waits
//       for a $/cancelRequest (then answers -32800 with data.applied). A stale fingerprint is 409
//       with the fresh plan in data.plan.
//   team.watch {interval?} (at least 5): answers {subscription, teammates, invitations}, and right
//       after it sends team.changed (Bob becomes available), team.watchError (a 503), team.changed
//       (the pending invitation is removed and its address joins, in one notification), plus one
//       notification for nobody.
//   team.unwatch {subscription}: {}; an unknown subscription is -32602.
//   activity.list {limit?, page?}: 7 entries, newest first, {count, page, per_page, activities}.
//   fake.emit {notifications}: writes them, then answers {}.
//   fake.prependActivity: a new newest entry (shifting every page by one).
//   fake.log: {unwatched, cancels}, what the bridge was asked to end.
//
// Flag --no-progress: a bridge that predates progress (`_meta` is an unknown param, -32602).
import readline from 'node:readline';

const NO_PROGRESS = process.argv.includes('--no-progress');
const PROJECT = '65f000000000000000000001';

const user = (n, first, email) => ({ _id: `65f0000000000000000000a${n}`, id: `65f0000000000000000000a${n}`, firstname: first, lastname: 'Test', email });
const teammate = (n, role, available, first, email) => ({
  _id: `65f0000000000000000000b${n}`,
  id: `65f0000000000000000000b${n}`,
  role,
  user_available: available,
  status: 'active',
  presence: { status: available ? 'online' : 'offline' },
  id_user: user(n, first, email),
});

const team = [
  teammate(1, 'owner', true, 'Olivia', 'owner@example.com'),
  teammate(2, 'admin', true, 'Adam', 'admin@example.com'),
  teammate(3, 'agent', true, 'Alice', 'alice@example.com'),
  teammate(4, 'agent', false, 'Bob', 'bob@example.com'),
];
const invitations = [
  { _id: '65f0000000000000000000c1', id: '65f0000000000000000000c1', email: 'pending@example.com', role: 'agent', createdAt: '2026-01-15T09:40:00.000Z' },
];
/** The n-th entry of the log: Olivia changing Bob (odd n: his availability, in the server's words). */
const activity = (n) => ({
  _id: `65f00000000000000000e00${n}`,
  id: `65f00000000000000000e00${n}`,
  verb: n % 2 ? 'PROJECT_USER_AVAILABILITY_SELF' : 'PROJECT_USER_UPDATE',
  actor: { type: 'user', id: '65f0000000000000000000a1', name: 'Olivia Owner' },
  target: { type: 'project_user', id: '65f0000000000000000000b4' },
  createdAt: `2026-02-0${n}T10:00:00.000Z`,
  ...(n % 2 ? { message: `Bob Test changed availability status to available (${n})` } : {}),
});
const activities = [7, 6, 5, 4, 3, 2, 1].map(activity);
const log = { unwatched: [], cancels: [] };
const watches = new Set();
const holds = new Map(); // request id → resolve, for the apply held after hold@example.com
let version = 1;
let watchCount = 0;

const write = (message) => process.stdout.write(JSON.stringify(message) + '\n');
const notify = (method, params) => write({ jsonrpc: '2.0', method, params });
const error = (code, message, data = {}) => ({ error: { code, message, data: { retryable: code === 502 || code === 503, ...data } } });

function plan(roster) {
  const members = new Map(team.map((t) => [t.id_user.email, t]));
  const invited = new Set(invitations.map((i) => i.email));
  const actions = [];
  let unchanged = 0;
  for (const entry of roster) {
    const email = entry.email.toLowerCase();
    const member = members.get(email);
    if (!member) {
      if (invited.has(email)) unchanged++;
      else actions.push({ action: 'invite', email, role: entry.role });
      continue;
    }
    const changes = {};
    for (const f of ['role', 'user_available']) if (f in entry && entry[f] !== member[f]) changes[f] = { from: member[f], to: entry[f] };
    if (Object.keys(changes).length) actions.push({ action: 'update', email, project_user_id: member.id, changes });
    else unchanged++;
  }
  const summary = {};
  for (const a of actions) summary[a.action] = (summary[a.action] ?? 0) + 1;
  return { project_id: PROJECT, fingerprint: `fp-${version}`, actions, unchanged, summary, skipped: [], waiting: [] };
}

function carryOut(action) {
  if (action.email === 'fail@example.com') throw new Error('the server answered 502');
  version++;
  if (action.action === 'invite') {
    const id = `65f0000000000000000000c${invitations.length + 1}`;
    const invitation = { _id: id, id, email: action.email, role: action.role };
    invitations.push(invitation);
    return { status: 'pending', invitation };
  }
  const member = team.find((t) => t.id === action.project_user_id);
  for (const [f, change] of Object.entries(action.changes)) member[f] = change.to;
  return { ...member };
}

async function apply(id, params) {
  const current = plan(params.roster);
  if (params.dry_run) return { result: current };
  if ('fingerprint' in params && params.fingerprint !== current.fingerprint) return error(409, 'the team changed since the plan', { plan: current });
  const token = params._meta && params._meta.progressToken;
  const applied = [];
  const failed = [];
  for (const [i, action] of current.actions.entries()) {
    try {
      applied.push({ ...action, result: carryOut(action) });
    } catch (err) {
      failed.push({ ...action, error: { code: 502, message: err.message, data: { retryable: true } } });
    }
    if (token !== undefined) notify('$/progress', { token, value: { done: i + 1, total: current.actions.length, action } });
    if (action.email === 'hold@example.com') {
      await new Promise((resolve) => {
        holds.set(id, resolve);
        setTimeout(resolve, 10000);
      });
      return error(-32800, 'request cancelled', { applied });
    }
  }
  return { result: { applied, failed, unchanged: current.unchanged, summary: current.summary } };
}

function watch(id, params) {
  if ((params.interval ?? 30) < 5) return error(-32602, 'Invalid params: interval must be at least 5 seconds', { field: 'interval' });
  const subscription = `sub-${++watchCount}`;
  watches.add(subscription);
  write({ jsonrpc: '2.0', id, result: { subscription, teammates: team.map((t) => ({ ...t })), invitations: invitations.map((i) => ({ ...i })) } });
  const changed = (changes, sub = subscription) => notify('team.changed', { subscription: sub, project_id: PROJECT, changes });
  changed([{ kind: 'updated', teammate: { ...team[3], user_available: true }, fields: { user_available: { from: false, to: true } } }]);
  notify('team.watchError', { subscription, error: { code: 503, message: 'upstream unreachable', data: { retryable: true } } });
  changed([
    { kind: 'invitation_removed', invitation: invitations[0] },
    { kind: 'joined', teammate: teammate(7, 'agent', true, 'Pat', 'pending@example.com') },
  ]);
  changed([], 'sub-nobody');
  return undefined;
}

function unwatch(params) {
  if (!watches.delete(params.subscription)) return error(-32602, 'Invalid params: unknown subscription', { field: 'subscription' });
  log.unwatched.push(params.subscription);
  return { result: {} };
}

function activityPage({ limit = 40, page = 0 }) {
  return { result: { count: activities.length, page, per_page: limit, activities: activities.slice(page * limit, (page + 1) * limit) } };
}

function prependActivity() {
  const n = String(activities.length + 1).padStart(2, '0');
  activities.unshift({ _id: `65f00000000000000000e0${n}`, id: `65f00000000000000000e0${n}`, verb: 'PROJECT_USER_INVITE', createdAt: '2026-03-01T10:00:00.000Z' });
  return { result: {} };
}

/** The answer body ({result} or {error}) of one request; undefined when it answered already. */
async function answer({ id, method, params = {} }) {
  if (NO_PROGRESS && '_meta' in params) return error(-32602, `Invalid params: unknown param "_meta" for ${method}`, { field: '_meta' });
  switch (method) {
    case 'ping':
      return { result: {} };
    case 'team.plan':
      return { result: plan(params.roster) };
    case 'team.apply':
      return apply(id, params);
    case 'team.watch':
      return watch(id, params);
    case 'team.unwatch':
      return unwatch(params);
    case 'activity.list':
      return activityPage(params);
    case 'fake.emit':
      params.notifications.forEach(write);
      return { result: {} };
    case 'fake.prependActivity':
      return prependActivity();
    case 'fake.log':
      return { result: structuredClone(log) };
    default:
      return error(-32601, `Method not found: ${method}`, { method });
  }
}

const inflight = new Set();
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const request = JSON.parse(line);
  if (request.method === '$/cancelRequest') {
    log.cancels.push(request.params.id);
    const release = holds.get(request.params.id);
    if (release) release();
    return;
  }
  const p = answer(request).then((body) => {
    if (body !== undefined && request.id !== undefined) write({ jsonrpc: '2.0', id: request.id, ...body });
  });
  inflight.add(p);
  p.finally(() => inflight.delete(p));
});
rl.on('close', async () => {
  while (inflight.size) await Promise.all([...inflight]);
  process.exit(0);
});
