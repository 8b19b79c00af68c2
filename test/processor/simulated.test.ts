import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssertionError } from '../../src/domain/assert.js';
import { SCENARIOS, type Scenario } from '../../src/domain/test-cards.js';
import type { AuthorizationResult } from '../../src/processor/processor.js';
import { SimulatedProcessor, simulateAuthorization } from '../../src/processor/simulated.js';

type Flags = { authenticated?: boolean; offSession?: boolean; setUpForOffSession?: boolean };

/** A compact view of a result: `approved`, `requires_action` or `code/decline_code/outcome`. */
function summary(result: AuthorizationResult): string {
  if (result.kind !== 'declined') return result.kind;
  return `${result.code}/${result.declineCode ?? '-'}/${result.outcomeType}`;
}

function run(scenario: Scenario, flags: Flags = {}): AuthorizationResult {
  return simulateAuthorization({
    amount: 2000,
    currency: 'usd',
    scenario,
    authenticated: flags.authenticated ?? false,
    offSession: flags.offSession ?? false,
    setUpForOffSession: flags.setUpForOffSession,
  });
}

const AUTH_REQUIRED = 'authentication_required/authentication_required/issuer_declined';

// [scenario, flags, expected summary] — stripe-semantics.md §4.4 and §5.
const TABLE: Array<[Scenario, Flags, string]> = [
  ['success', {}, 'approved'],
  ['success', { offSession: true }, 'approved'],
  ['decline_generic', {}, 'card_declined/generic_decline/issuer_declined'],
  ['decline_insufficient_funds', {}, 'card_declined/insufficient_funds/issuer_declined'],
  ['decline_lost', {}, 'card_declined/lost_card/issuer_declined'],
  ['decline_stolen', {}, 'card_declined/stolen_card/issuer_declined'],
  ['decline_expired', {}, 'expired_card/-/issuer_declined'],
  ['decline_incorrect_cvc', {}, 'incorrect_cvc/-/issuer_declined'],
  ['decline_processing_error', {}, 'processing_error/-/issuer_declined'],
  ['decline_velocity', {}, 'card_declined/card_velocity_exceeded/issuer_declined'],
  ['decline_fraudulent', {}, 'card_declined/fraudulent/blocked'],
  ['customer_fail', {}, 'card_declined/generic_decline/issuer_declined'],
  ['three_d_secure_required', {}, 'requires_action'],
  ['three_d_secure_required', { authenticated: true }, 'approved'],
  ['three_d_secure_required', { offSession: true }, AUTH_REQUIRED],
  ['authentication_required', {}, 'requires_action'],
  ['authentication_required', { authenticated: true }, 'approved'],
  ['authentication_required', { offSession: true }, AUTH_REQUIRED],
  ['authentication_required', { offSession: true, setUpForOffSession: true }, AUTH_REQUIRED],
  ['authentication_required_on_setup', {}, 'requires_action'],
  ['authentication_required_on_setup', { setUpForOffSession: true }, 'requires_action'],
  ['authentication_required_on_setup', { offSession: true }, AUTH_REQUIRED],
  ['authentication_required_on_setup', { offSession: true, setUpForOffSession: true }, 'approved'],
  ['three_d_secure_then_decline_insufficient', {}, 'requires_action'],
  [
    'three_d_secure_then_decline_insufficient',
    { authenticated: true },
    'card_declined/insufficient_funds/issuer_declined',
  ],
  ['three_d_secure_then_decline_insufficient', { offSession: true }, AUTH_REQUIRED],
  ['three_d_secure_then_decline', {}, 'requires_action'],
  [
    'three_d_secure_then_decline',
    { authenticated: true },
    'card_declined/generic_decline/issuer_declined',
  ],
  ['three_d_secure_optional', {}, 'approved'],
  ['three_d_secure_optional', { offSession: true }, 'approved'],
  ['bypass_pending', {}, 'approved'],
  ['dispute', {}, 'approved'],
];

describe('simulated processor', () => {
  for (const [scenario, flags, expected] of TABLE) {
    it(`${scenario} ${JSON.stringify(flags)} → ${expected}`, () => {
      assert.equal(summary(run(scenario, flags)), expected);
    });
  }

  it('covers every scenario in the table', () => {
    const covered = new Set(TABLE.map(([scenario]) => scenario));
    assert.deepEqual(
      SCENARIOS.filter((s) => !covered.has(s)),
      [],
    );
  });

  it("uses Stripe's messages and risk levels", () => {
    const funds = run('decline_insufficient_funds');
    assert.equal(funds.kind === 'declined' && funds.message, 'Your card has insufficient funds.');
    const generic = run('decline_generic');
    assert.equal(generic.kind === 'declined' && generic.message, 'Your card was declined.');
    const blocked = run('decline_fraudulent');
    assert.ok(blocked.kind === 'declined' && blocked.riskScore > 75);
    const offSession = run('authentication_required', { offSession: true });
    assert.match(
      offSession.kind === 'declined' ? offSession.message : '',
      /requires authentication/,
    );
  });

  it('marks only bypass_pending funds as immediately available', () => {
    for (const scenario of ['success', 'bypass_pending', 'dispute'] as const) {
      const result = run(scenario);
      assert.ok(result.kind === 'approved');
      assert.equal(result.bypassPending, scenario === 'bypass_pending');
    }
  });

  it('treats an unknown scenario as a bug, and answers through the Processor interface', async () => {
    assert.throws(() => run('mystery' as Scenario), AssertionError);
    const result = await new SimulatedProcessor().authorize({
      amount: 100,
      currency: 'eur',
      scenario: 'decline_lost',
      authenticated: false,
      offSession: false,
    });
    assert.equal(summary(result), 'card_declined/lost_card/issuer_declined');
  });

  it('returns a fresh object each time, so callers cannot corrupt the table', () => {
    const first = run('decline_generic');
    if (first.kind === 'declined') first.message = 'changed';
    const second = run('decline_generic');
    assert.equal(second.kind === 'declined' && second.message, 'Your card was declined.');
  });
});
