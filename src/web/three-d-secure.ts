/**
 * The 3-D Secure test page a payer's browser opens from `next_action`: it stands in for the
 * issuer's challenge with two buttons. Plain server-rendered HTML, no scripts; every value shown
 * is escaped.
 */
export interface AuthenticationPageInput {
  intentId: string;
  clientSecret: string;
  amount: number;
  currency: string;
  /** Where the forms post: this page's own path. */
  formAction: string;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** No scripts, no outside resources; inline styles only. */
export const PAGE_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 4rem auto; padding: 0 1rem; }
form { display: inline-block; margin-right: .5rem; }
button { font-size: 1rem; padding: .5rem 1rem; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

function button(input: AuthenticationPageInput, action: string, label: string): string {
  return `<form method="post" action="${escapeHtml(input.formAction)}">
<input type="hidden" name="client_secret" value="${escapeHtml(input.clientSecret)}">
<input type="hidden" name="action" value="${action}">
<button type="submit">${label}</button>
</form>`;
}

/** The challenge: complete or fail authentication of this payment. */
export function renderAuthenticationPage(input: AuthenticationPageInput): string {
  const amount = `${input.amount} ${input.currency.toUpperCase()} (minor units)`;
  return page(
    '3D Secure authentication',
    `<h1>3D Secure test authentication</h1>
<p>Payment <code>${escapeHtml(input.intentId)}</code> of ${escapeHtml(amount)} needs the
cardholder to authenticate. This test page stands in for the card issuer.</p>
${button(input, 'complete', 'Complete authentication')}
${button(input, 'fail', 'Fail authentication')}`,
  );
}

/** Shown when there is no return_url to send the payer back to, or nothing is left to do. */
export function renderAuthenticationDone(intentId: string, status: string): string {
  return page(
    'Authentication finished',
    `<h1>Authentication finished</h1>
<p>Payment <code>${escapeHtml(intentId)}</code> now has status
<strong id="status">${escapeHtml(status)}</strong>. You may close this window.</p>`,
  );
}
