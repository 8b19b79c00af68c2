import { assert } from '../domain/assert.js';
import { isScenario, scenarioRequiresAuthentication, type Scenario } from '../domain/test-cards.js';
import type { AuthorizationRequest, AuthorizationResult, Processor } from './processor.js';

type Declined = Extract<AuthorizationResult, { kind: 'declined' }>;

const DECLINED_MESSAGE = 'Your card was declined.';

function decline(
  code: string,
  message: string,
  declineCode?: string,
  outcomeType: Declined['outcomeType'] = 'issuer_declined',
): Declined {
  const riskScore = outcomeType === 'blocked' ? 95 : 40;
  const result: Declined = { kind: 'declined', code, message, outcomeType, riskScore };
  if (declineCode) result.declineCode = declineCode;
  return result;
}

const cardDeclined = (declineCode: string, message = DECLINED_MESSAGE) =>
  decline('card_declined', message, declineCode);

/** Stripe's codes and messages for each declining test card (stripe-semantics.md §5). */
const DECLINES: Partial<Record<Scenario, Declined>> = {
  decline_generic: cardDeclined('generic_decline'),
  customer_fail: cardDeclined('generic_decline'),
  decline_insufficient_funds: cardDeclined(
    'insufficient_funds',
    'Your card has insufficient funds.',
  ),
  decline_lost: cardDeclined('lost_card'),
  decline_stolen: cardDeclined('stolen_card'),
  decline_velocity: cardDeclined(
    'card_velocity_exceeded',
    'Your card was declined for making repeated attempts too frequently or exceeding its ' +
      'amount limit.',
  ),
  decline_fraudulent: decline('card_declined', DECLINED_MESSAGE, 'fraudulent', 'blocked'),
  decline_expired: decline('expired_card', 'Your card has expired.'),
  decline_incorrect_cvc: decline('incorrect_cvc', "Your card's security code is incorrect."),
  decline_processing_error: decline(
    'processing_error',
    'An error occurred while processing your card. Try again in a little bit.',
  ),
  three_d_secure_then_decline_insufficient: cardDeclined(
    'insufficient_funds',
    'Your card has insufficient funds.',
  ),
  three_d_secure_then_decline: cardDeclined('generic_decline'),
};

/** An off-session payment on a card that insists on 3-D Secure (§4.4). */
const AUTHENTICATION_REQUIRED = decline(
  'authentication_required',
  'Your card was declined. This transaction requires authentication.',
  'authentication_required',
);

/**
 * The decision for one attempt, from the card's scenario, whether the payer has just completed
 * 3-D Secure, and whether the payer is present. Pure, so it is tested as a table.
 */
export function simulateAuthorization(request: AuthorizationRequest): AuthorizationResult {
  assert(isScenario(request.scenario), `unknown card scenario ${request.scenario}`);
  const scenario = request.scenario;

  if (scenarioRequiresAuthentication(scenario) && !request.authenticated) {
    const exempt = scenario === 'authentication_required_on_setup' && request.setUpForOffSession;
    if (request.offSession && !exempt) return AUTHENTICATION_REQUIRED;
    if (!request.offSession) return { kind: 'requires_action' };
  }

  const declined = DECLINES[scenario];
  if (declined) return { ...declined };
  return { kind: 'approved', riskScore: 20, bypassPending: scenario === 'bypass_pending' };
}

/** Answers from the card's test scenario; see domain/test-cards.ts. */
export class SimulatedProcessor implements Processor {
  async authorize(request: AuthorizationRequest): Promise<AuthorizationResult> {
    return simulateAuthorization(request);
  }
}
