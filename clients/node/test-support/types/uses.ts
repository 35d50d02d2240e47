// Must compile: the README's uses of the declarations.
import { CallTimeout, Conflict, TiledeskRPC, type Teammate } from 'tiledesk-rpc';

export async function main(): Promise<void> {
  const client = await TiledeskRPC.spawn({ sandbox: true, timeout: 5000 });
  const agents: Teammate[] = await client.team.list({ role: 'agent', includeTrashed: false });
  for (const t of agents) console.log(t.id, t.role, t.user_available);
  const preview = await client.team.update({ projectUserId: 'x', userAvailable: true, dryRun: true });
  console.log(preview.request.method, preview.request.url);
  const bob = await client.team.update({ projectUserId: 'x', maxServedChat: 3 });
  console.log(bob.id, (await client.user.get()).email, (await client.team.getByUser({ userId: 'u' })).id);
  const invited = await client.team.invite({ email: 'a@example.com', role: 'agent', ensure: true });
  if (invited.status === 'pending') console.log(invited.invitation?.email);
  try {
    await client.team.get({ projectUserId: 'x' }, { timeout: 10 });
  } catch (err) {
    if (err instanceof CallTimeout || err instanceof Conflict) console.log(err.code, err.data);
  }
  await client.close();
}
