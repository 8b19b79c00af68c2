import { signatureHeader } from './signing.js';

export const USER_AGENT = 'Stripe/1.0 (+https://stripe.com/docs/webhooks)';

export interface PostResult {
  /** A 2xx answer. Redirects, other statuses, timeouts and network errors are failures. */
  ok: boolean;
  /** The HTTP status, or null when no answer came. */
  status: number | null;
  /** Why no answer came (or which status was not 2xx), for the attempt record. */
  error: string | null;
  durationMs: number;
}

/**
 * POSTs `payload` exactly as given, signed with `secret` at `timestampSeconds`, and never
 * throws: every outcome is a PostResult. Redirects are not followed (Stripe counts a 3xx as a
 * failure).
 */
export async function postSigned(
  url: string,
  secret: string,
  payload: string,
  options: { timestampSeconds: number; timeoutMs: number },
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': USER_AGENT,
        'stripe-signature': signatureHeader(secret, options.timestampSeconds, payload),
        'cache-control': 'no-cache',
      },
      body: payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The answer's body is not used; discard it so the connection is freed.
    await response.body?.cancel().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      status: response.status,
      error: ok ? null : `HTTP ${response.status}`,
      durationMs: elapsed(),
    };
  } catch (error) {
    return { ok: false, status: null, error: describeFailure(error), durationMs: elapsed() };
  }
}

function describeFailure(error: unknown): string {
  const e = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  const detail = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
  return `request failed: ${detail}`.slice(0, 500);
}
