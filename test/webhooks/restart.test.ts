import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { startTestServer } from '../helpers/server.js';
import { eventOf, startReceiver } from './receiver.js';

// Retries come quickly but not so quickly that the three days' worth run out during the test.
process.env.PAYRAIL_WEBHOOK_BACKOFF_MS = '200';
process.env.PAYRAIL_WEBHOOK_POLL_MS = '25';

describe('webhook delivery across a restart', () => {
  it('delivers an event to a receiver that was down until after the server restarted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'payrail-restart-'));
    const databaseUrl = `sqlite:${join(dir, 'payrail.db')}`;
    const keys = {
      secretKey: generateApiKey('secret'),
      publishableKey: generateApiKey('publishable'),
    };
    // Reserve a port for the receiver, then free it: the endpoint refuses connections for now.
    const placeholder = await startReceiver();
    const port = placeholder.port;
    await placeholder.close();

    const first = await startTestServer({ databaseUrl, keepDatabase: true, ...keys });
    let customerId: string;
    let endpointId: string;
    let secret: string;
    try {
      const endpoint = await first.stripe.webhookEndpoints.create({
        url: placeholder.url,
        enabled_events: ['customer.created'],
      });
      endpointId = endpoint.id;
      secret = endpoint.secret!;
      customerId = (await first.stripe.customers.create({ name: 'Durable' })).id;
      // Wait until the first attempt has failed, so the delivery is mid-retry at shutdown.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const response = await first.fetch(`/v1/webhook_endpoints/${endpointId}/deliveries`);
        const [delivery] = (await response.json()).data;
        if (delivery?.attempt_count >= 1 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await first.close();
    }

    const receiver = await startReceiver(port);
    const second = await startTestServer({ databaseUrl, keepDatabase: true, ...keys });
    try {
      const [request] = await receiver.waitFor(1);
      const event = second.stripe.webhooks.constructEvent(
        request.rawBody,
        String(request.headers['stripe-signature']),
        secret,
      );
      assert.equal(event.type, 'customer.created');
      assert.equal(eventOf(request).data.object.id, customerId);

      const deadline = Date.now() + 10_000;
      let delivery: { status: string; attempts: { response_status: number | null }[] };
      do {
        const response = await second.fetch(`/v1/webhook_endpoints/${endpointId}/deliveries`);
        [delivery] = (await response.json()).data;
      } while (delivery.status !== 'succeeded' && Date.now() < deadline);
      assert.equal(delivery.status, 'succeeded');
      assert.equal(delivery.attempts[0].response_status, null);
      assert.equal(delivery.attempts.at(-1)!.response_status, 200);
    } finally {
      await receiver.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
