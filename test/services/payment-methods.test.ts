import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../src/domain/errors.js';
import type { CallContext, Services } from '../../src/services/context.js';
import {
  createCardPaymentMethod,
  createPaymentMethod,
  detachPaymentMethod,
  markPaymentMethodConsumed,
  resolvePaymentMethod,
} from '../../src/services/payment-methods.js';
import { cardDetailsForCharge, paymentMethodToWire } from '../../src/wire/payment-methods.js';
import type { Tx } from '../../src/store/schema.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const nextYear = new Date().getUTCFullYear() + 1;

/** The ApiError `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new assert.AssertionError({ message: 'expected an ApiError' });
}

describe('payment-method services used by payments', () => {
  let t: TestServer;
  let services: Services;
  let ctx: CallContext;
  before(async () => {
    t = await startTestServer();
    services = t.server.services;
    const pm = await t.stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
    const row = await services.store.db
      .selectFrom('payment_methods')
      .select('account_id')
      .where('id', '=', pm.id)
      .executeTakeFirstOrThrow();
    ctx = { accountId: row.account_id, requestId: 'req_test', now: Math.floor(Date.now() / 1000) };
  });
  after(() => t.close());

  const inTx = <T>(work: (tx: Tx) => Promise<T>) => services.store.transaction(work);

  describe('resolvePaymentMethod', () => {
    it('makes a new payment method from a test name or token on each use', async () => {
      const a = await inTx((tx) => resolvePaymentMethod(tx, ctx, services, 'pm_card_visa', 'pm'));
      const b = await inTx((tx) => resolvePaymentMethod(tx, ctx, services, 'pm_card_visa', 'pm'));
      const c = await inTx((tx) => resolvePaymentMethod(tx, ctx, services, 'tok_visa', 'pm'));
      assert.notEqual(a.id, b.id);
      assert.notEqual(b.id, c.id);
      assert.equal(a.scenario, 'success');
      assert.equal(a.fingerprint, c.fingerprint);
      const declined = await inTx((tx) =>
        resolvePaymentMethod(tx, ctx, services, 'pm_card_chargeDeclinedInsufficientFunds', 'pm'),
      );
      assert.equal(declined.scenario, 'decline_insufficient_funds');
      assert.equal(declined.last4, '9995');
    });

    it('returns an existing payment method of this account unchanged', async () => {
      const created = await inTx((tx) =>
        resolvePaymentMethod(tx, ctx, services, 'pm_card_amex', 'x'),
      );
      const found = await inTx((tx) => resolvePaymentMethod(tx, ctx, services, created.id, 'x'));
      assert.deepEqual(found, created);
    });

    it('answers 400 resource_missing on the param for unknown ids, tokens and other accounts', async () => {
      const own = await inTx((tx) => resolvePaymentMethod(tx, ctx, services, 'pm_card_visa', 'pm'));
      const other = { ...ctx, accountId: 'acct_someoneelse' };
      for (const [context, reference] of [
        [ctx, 'pm_unknown'],
        [ctx, 'tok_unknown'],
        [other, own.id],
      ] as const) {
        const error = await rejection(
          inTx((tx) => resolvePaymentMethod(tx, context, services, reference, 'payment_method')),
        );
        assert.equal(error.status, 400, reference);
        assert.equal(error.code, 'resource_missing');
        assert.equal(error.param, 'payment_method');
      }
    });

    it('refuses a consumed or detached payment method', async () => {
      const used = await inTx((tx) =>
        resolvePaymentMethod(tx, ctx, services, 'pm_card_visa', 'pm'),
      );
      await inTx((tx) => markPaymentMethodConsumed(tx, ctx, used.id));
      const error = await rejection(
        inTx((tx) => resolvePaymentMethod(tx, ctx, services, used.id, 'payment_method')),
      );
      assert.equal(error.status, 400);
      assert.equal(error.code, 'payment_method_unexpected_state');
      assert.equal(error.param, 'payment_method');

      const customer = await t.stripe.customers.create();
      const attached = await t.stripe.paymentMethods.attach('pm_card_visa', {
        customer: customer.id,
      });
      await inTx((tx) => detachPaymentMethod(tx, ctx, attached.id));
      const detached = await rejection(
        inTx((tx) => resolvePaymentMethod(tx, ctx, services, attached.id, 'payment_method')),
      );
      assert.equal(detached.code, 'payment_method_unexpected_state');
    });
  });

  describe('createCardPaymentMethod', () => {
    it('creates from raw details and stores only derived data', async () => {
      const row = await inTx((tx) =>
        createCardPaymentMethod(
          tx,
          ctx,
          services,
          { number: '4000002760003184', exp_month: 4, exp_year: nextYear, cvc: '321' },
          'payment_method_data[card]',
        ),
      );
      assert.equal(row.scenario, 'authentication_required');
      assert.equal(row.last4, '3184');
      assert.ok(!JSON.stringify(row).includes('4000002760003184'));
      assert.ok(!JSON.stringify(row).includes('321'));
    });

    it('refuses bad cards with card errors and a missing number with the param prefix', async () => {
      const bad = await rejection(
        inTx((tx) =>
          createCardPaymentMethod(
            tx,
            ctx,
            services,
            { number: '4242424242424241', exp_month: 4, exp_year: nextYear },
            'payment_method_data[card]',
          ),
        ),
      );
      assert.equal(bad.status, 402);
      assert.equal(bad.code, 'incorrect_number');
      const missing = await rejection(
        inTx((tx) =>
          createCardPaymentMethod(
            tx,
            ctx,
            services,
            { number: '', exp_month: 4, exp_year: nextYear },
            'payment_method_data[card]',
          ),
        ),
      );
      assert.equal(missing.code, 'parameter_missing');
      assert.equal(missing.param, 'payment_method_data[card][number]');
    });
  });

  describe('createPaymentMethod with a parameter prefix', () => {
    it('names payment_method_data parameters in errors, and accepts tokens', async () => {
      const prefix = 'payment_method_data';
      const missing = await rejection(
        inTx((tx) =>
          createPaymentMethod(tx, ctx, services, { card: { number: '4242424242424242' } }, prefix),
        ),
      );
      assert.equal(missing.param, 'payment_method_data[card][exp_month]');
      const token = await rejection(
        inTx((tx) => createPaymentMethod(tx, ctx, services, { card: { token: 'tok_x' } }, prefix)),
      );
      assert.equal(token.param, 'payment_method_data[card][token]');
      const row = await inTx((tx) =>
        createPaymentMethod(
          tx,
          ctx,
          services,
          { card: { token: 'tok_chargeDeclined' }, billing_details: { name: 'Ada' } },
          prefix,
        ),
      );
      assert.equal(row.scenario, 'decline_generic');
      assert.equal(JSON.parse(row.billing_details).name, 'Ada');
    });
  });

  describe('cardDetailsForCharge', () => {
    it("gives a charge's payment_method_details.card from the payment method", async () => {
      const row = await inTx((tx) =>
        resolvePaymentMethod(tx, ctx, services, 'pm_card_chargeDeclinedIncorrectCvc', 'pm'),
      );
      const card = cardDetailsForCharge(row);
      const wire = paymentMethodToWire(row).card as Record<string, unknown>;
      for (const key of ['brand', 'last4', 'exp_month', 'exp_year', 'fingerprint', 'funding']) {
        assert.equal(card[key], wire[key], key);
      }
      assert.equal(card.network, 'visa');
      assert.equal((card.checks as Record<string, unknown>).cvc_check, 'fail');
      assert.equal(card.three_d_secure, null);
      const authenticated = cardDetailsForCharge(row, { authenticated: true });
      assert.equal(
        (authenticated.three_d_secure as Record<string, unknown>).result,
        'authenticated',
      );
    });
  });
});
