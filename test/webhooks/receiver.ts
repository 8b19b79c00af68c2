import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  rawBody: string;
  headers: IncomingHttpHeaders;
  /** The status this receiver answered with. */
  answered: number;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Status for the next requests, in order (0: never answer); 200 once the list runs out. */
  answers: number[];
  /** Resolves once `count` requests matching `match` have been received (or rejects on timeout). */
  waitFor(count: number, match?: (r: Received) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that records every request's exact bytes. */
export async function startReceiver(port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answered = answers.shift() ?? 200;
      received.push({
        rawBody: Buffer.concat(chunks).toString('utf8'),
        headers: request.headers,
        answered,
      });
      if (answered === 0) return;
      const location = answered >= 300 && answered < 400 ? { location: '/elsewhere' } : undefined;
      response.writeHead(answered, location).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}/hooks`,
    port: actualPort,
    received,
    answers,
    async waitFor(count, match = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hits = received.filter(match);
        if (hits.length >= count) return hits;
        if (Date.now() > deadline) {
          throw new Error(
            `expected ${count} webhook requests, got ${hits.length} in ${timeoutMs} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The parsed event of a received request. */
export function eventOf(r: Received): {
  id: string;
  type: string;
  data: { object: { id: string } };
} {
  return JSON.parse(r.rawBody);
}
