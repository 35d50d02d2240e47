// A fake bridge for client-side tests: answers every request with what it received, so tests
// can check exactly what the client put on the wire, independently of the real bridge.
//
//   ping               → {}
//   env                → the process environment
//   args               → process.argv.slice(2)
//   sleep {ms}         → {slept: ms} after ms (cancellable with $/cancelRequest → -32800)
//   fail {code,message,data} → that error
//   die {code,stderr}  → writes stderr and exits with code
//   anything else      → {method, params, has_params}
//   a batch            → one array line once every member is done
import readline from 'node:readline';

const timers = new Map();

function handle(msg) {
  return new Promise((resolve) => {
    if (!msg || typeof msg !== 'object') {
      return resolve({ jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request' } });
    }
    const { id, method, params } = msg;
    const answer = (body) => resolve(id === undefined ? undefined : { jsonrpc: '2.0', id, ...body });
    switch (method) {
      case '$/cancelRequest': {
        const t = timers.get(params && params.id);
        if (t) {
          clearTimeout(t.timer);
          timers.delete(params.id);
          t.answer({ error: { code: -32800, message: 'Request cancelled', data: { retryable: false } } });
        }
        return resolve(undefined);
      }
      case 'ping':
        return answer({ result: {} });
      case 'env':
        return answer({ result: process.env });
      case 'args':
        return answer({ result: process.argv.slice(2) });
      case 'sleep': {
        const timer = setTimeout(() => {
          timers.delete(id);
          answer({ result: { slept: params.ms } });
        }, params.ms);
        timers.set(id, { timer, answer });
        return;
      }
      case 'fail':
        return answer({ error: params });
      case 'die':
        process.stderr.write(params.stderr || '');
        process.exit(params.code ?? 1);
        return;
      default:
        return answer({ result: { method, params: params ?? null, has_params: 'params' in msg } });
    }
  });
}

const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const inflight = new Set();
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let msg;
  try {
    msg = JSON.parse(line);
  } catch {
    return out({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
  }
  const p = Array.isArray(msg)
    ? Promise.all(msg.map(handle)).then((rs) => {
        const answers = rs.filter(Boolean);
        if (answers.length) out(answers);
      })
    : handle(msg).then((r) => r && out(r));
  inflight.add(p);
  p.finally(() => inflight.delete(p));
});
rl.on('close', async () => {
  while (inflight.size) await Promise.all([...inflight]);
  process.exit(0);
});
