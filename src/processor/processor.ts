/**
 * The card processor: the one place that decides whether a card payment is authorised. The
 * built-in `simulated` processor answers from Stripe's test cards; a real acquirer would
 * implement the same interface. Services call it before opening their database transaction,
 * so no network call ever holds a database lock.
 */
export interface AuthorizationRequest {
  amount: number;
  currency: string;
  /** The simulated processor's scenario stored with the payment method. */
  scenario: string;
  /** True once the payer completed 3-D Secure for this attempt. */
  authenticated: boolean;
  /** True for merchant-initiated payments, where the payer cannot authenticate. */
  offSession: boolean;
  /**
   * True when the payer authenticated this card for later off-session use (a payment with
   * `setup_future_usage`); only the authentication_required_on_setup test card looks at it.
   */
  setUpForOffSession?: boolean;
}

export type AuthorizationResult =
  | { kind: 'approved'; riskScore: number; bypassPending: boolean }
  | { kind: 'requires_action' }
  | {
      kind: 'declined';
      code: string;
      declineCode?: string;
      message: string;
      /** Stripe's charge.outcome.type: issuer_declined or blocked. */
      outcomeType: 'issuer_declined' | 'blocked';
      riskScore: number;
    };

export interface Processor {
  authorize(request: AuthorizationRequest): Promise<AuthorizationResult>;
}
