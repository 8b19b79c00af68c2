import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postSigned } from '../webhooks/send.js';
import { verifySignature } from '../webhooks/signing.js';

/** Events are small; anything larger is not from Payrail. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface ListenOptions {
  /** Where each event is POSTed, signed with the printed secret. */
  forwardTo: string;
  /** The Payrail server, e.g. http://127.0.0.1:4242. */
  apiBase: string;
  apiKey: string;
  /** enabled_events of the temporary endpoint; `*` when empty. */
  events: string[];
  /** Where the Stripe-CLI-like lines go. */
  print: (line: string) => void;
  forwardTimeoutMs?: number;
}

export interface Listener {
  endpointId: string;
  secret: string;
  /** Removes the temporary endpoint and stops the receiver. */
  stop(): Promise<void>;
}

/**
 * `payrail listen`: registers a temporary webhook endpoint on the server that points at a
 * receiver started here on 127.0.0.1, and forwards each verified event to `forwardTo`, signed
 * with the endpoint's secret (printed at start), printing one line per event and per answer as
 * the Stripe CLI does. Pushed deliveries (rather than polling GET /v1/events) keep the server's
 * retries: an event that arrives while forwarding fails is still acknowledged once here.
 */
export async function startListener(options: ListenOptions): Promise<Listener> {
  let secret = '';
  let queue = Promise.resolve();
  const server = createServer((request, response) => {
    readBody(request).then(
      (body) => {
        const header = String(request.headers['stripe-signature'] ?? '');
        if (!secret || !verifySignature(secret, header, body, Math.floor(Date.now() / 1000))) {
          response.writeHead(400).end('invalid signature');
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
        // One at a time, so the printed lines keep the order in which events arrived.
        queue = queue.then(() => forward(options, secret, body));
      },
      () => response.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  let endpoint: { id: string; secret: string };
  try {
    endpoint = await createEndpoint(options, `http://127.0.0.1:${port}/`);
  } catch (error) {
    await closeServer(server);
    throw error;
  }
  secret = endpoint.secret;
  options.print(`Ready! Your webhook signing secret is ${secret} (^C to quit)`);

  return {
    endpointId: endpoint.id,
    secret,
    async stop() {
      await api(options, 'DELETE', `/v1/webhook_endpoints/${endpoint.id}`);
      await closeServer(server);
      await queue;
    },
  };
}

async function forward(options: ListenOptions, secret: string, body: string): Promise<void> {
  let event: { id?: string; type?: string };
  try {
    event = JSON.parse(body);
  } catch {
    return;
  }
  options.print(`${timestamp()}   --> ${event.type} [${event.id}]`);
  const result = await postSigned(options.forwardTo, secret, body, {
    timestampSeconds: Math.floor(Date.now() / 1000),
    timeoutMs: options.forwardTimeoutMs ?? 30_000,
  });
  const answer = result.status === null ? `[ERROR] ${result.error}` : `[${result.status}]`;
  options.print(`${timestamp()}  <-- ${answer} POST ${options.forwardTo} [${event.id}]`);
}

async function createEndpoint(options: ListenOptions, url: string) {
  const form = new URLSearchParams({ url, description: 'payrail listen (temporary)' });
  for (const type of options.events.length > 0 ? options.events : ['*']) {
    form.append('enabled_events[]', type);
  }
  return (await api(options, 'POST', '/v1/webhook_endpoints', form)) as {
    id: string;
    secret: string;
  };
}

async function api(options: ListenOptions, method: string, path: string, form?: URLSearchParams) {
  const response = await fetch(new URL(path, options.apiBase), {
    method,
    headers: {
      authorization: `Bearer ${options.apiKey}`,
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: form?.toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { error?: { message?: string } };
  if (!response.ok) throw new Error(`${method} ${path}: ${body.error?.message ?? response.status}`);
  return body;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Local time as `YYYY-MM-DD HH:MM:SS`, the Stripe CLI's format. */
function timestamp(date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}
