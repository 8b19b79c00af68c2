import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.js';
import { eventOf, startReceiver } from './receiver.js';

process.env.PAYRAIL_WEBHOOK_POLL_MS = '25';

describe('payrail listen', () => {
  it('forwards events signed with the secret it prints, and removes its endpoint on Ctrl-C', async () => {
    const t = await startTestServer();
    const receiver = await startReceiver();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/index.ts',
        'listen',
        '--forward-to',
        receiver.url,
        '--api-base',
        t.url,
        '--api-key',
        t.secretKey,
        '--events',
        'customer.created,customer.updated',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const secret = await waitForOutput(
        () => /Ready! Your webhook signing secret is (whsec_\w+)/.exec(output)?.[1],
      );
      const [endpoint] = (await t.stripe.webhookEndpoints.list()).data;
      assert.deepEqual(endpoint.enabled_events, ['customer.created', 'customer.updated']);
      assert.match(endpoint.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);

      const customer = await t.stripe.customers.create({ name: 'Listened' });
      await t.stripe.customers.update(customer.id, { name: 'Heard' });
      await t.stripe.customers.del(customer.id);
      const requests = await receiver.waitFor(2);
      const events = requests.map((r) =>
        t.stripe.webhooks.constructEvent(r.rawBody, String(r.headers['stripe-signature']), secret),
      );
      assert.deepEqual(events.map((e) => e.type).sort(), ['customer.created', 'customer.updated']);
      assert.ok(requests.every((r) => eventOf(r).data.object.id === customer.id));

      const [created, updated] = [...events].sort((a, b) => (a.type < b.type ? -1 : 1));
      await waitForOutput(() => output.includes(`<-- [200] POST ${receiver.url} [${updated.id}]`));
      const time = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d';
      for (const event of [created, updated]) {
        assert.match(output, new RegExp(`^${time}\\s+--> ${event.type} \\[${event.id}\\]$`, 'm'));
        assert.match(
          output,
          new RegExp(`^${time}\\s+<-- \\[200\\] POST \\S+ \\[${event.id}\\]$`, 'm'),
        );
      }
      assert.doesNotMatch(output, /customer\.deleted/);
    } finally {
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.equal((await t.stripe.webhookEndpoints.list()).data.length, 0);
      await receiver.close();
      await t.close();
    }
  });

  it('exits non-zero with a message when the key is refused', async () => {
    const t = await startTestServer();
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/index.ts',
          'listen',
          '--forward-to',
          'http://127.0.0.1:9/',
          '--api-base',
          t.url,
          '--api-key',
          'sk_test_nope',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 1);
      assert.match(stderr, /Invalid API Key/);
    } finally {
      await t.close();
    }
  });
});

/** Polls `read` until it returns something truthy, for at most 15 s. */
async function waitForOutput<T>(read: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for payrail listen');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
