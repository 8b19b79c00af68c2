import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  cardBrand,
  cardFingerprint,
  checkCvc,
  checkExpiry,
  luhnValid,
  normalizeCardNumber,
  normalizeExpYear,
} from '../../src/domain/cards.js';
import { ApiError } from '../../src/domain/errors.js';

/** The ApiError `fn` throws. */
function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new assert.AssertionError({ message: 'expected an ApiError' });
}

/** The check digit that makes `body` + digit pass Luhn. */
function withCheckDigit(body: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

// 2026-06-15T00:00:00Z
const NOW = Date.UTC(2026, 5, 15) / 1000;

describe('cards', () => {
  describe('luhnValid', () => {
    it('accepts valid numbers and refuses a changed digit', () => {
      assert.equal(luhnValid('4242424242424242'), true);
      assert.equal(luhnValid('378282246310005'), true);
      assert.equal(luhnValid('4242424242424241'), false);
      assert.equal(luhnValid('42424242a4242424'), false);
      assert.equal(luhnValid(''), false);
    });

    it('detects every single-digit change (property)', () => {
      const body = fc.stringMatching(/^\d{11,18}$/);
      fc.assert(
        fc.property(body, fc.nat(), fc.integer({ min: 1, max: 9 }), (b, at, delta) => {
          const valid = withCheckDigit(b);
          const i = at % valid.length;
          const changed =
            valid.slice(0, i) + ((Number(valid[i]) + delta) % 10) + valid.slice(i + 1);
          return luhnValid(valid) && !luhnValid(changed);
        }),
      );
    });
  });

  describe('cardBrand', () => {
    const table: Array<[string, string]> = [
      ['4242424242424242', 'visa'],
      ['5555555555554444', 'mastercard'],
      ['2223003122003222', 'mastercard'],
      ['378282246310005', 'amex'],
      ['371449635398431', 'amex'],
      ['6011111111111117', 'discover'],
      ['6445644564456445', 'discover'],
      ['3056930009020004', 'diners'],
      ['36227206271667', 'diners'],
      ['3566002020360505', 'jcb'],
      ['6200000000000005', 'unionpay'],
      ['9999999999999995', 'unknown'],
      ['1234567812345670', 'unknown'],
    ];
    for (const [number, brand] of table) {
      it(`${number} is ${brand}`, () => assert.equal(cardBrand(number), brand));
    }
  });

  describe('normalizeCardNumber', () => {
    it('strips spaces and dashes', () => {
      assert.equal(normalizeCardNumber('4242 4242-4242 4242'), '4242424242424242');
    });

    it('refuses a bad checksum with 402 incorrect_number on number', () => {
      const error = thrown(() => normalizeCardNumber('4242424242424241'));
      assert.equal(error.status, 402);
      assert.equal(error.type, 'card_error');
      assert.equal(error.code, 'incorrect_number');
      assert.equal(error.param, 'number');
    });

    it('refuses non-digits and wrong lengths with invalid_number', () => {
      for (const bad of ['4242x24242424242', '42424242424', '4'.repeat(20), '']) {
        const error = thrown(() => normalizeCardNumber(bad));
        assert.equal(error.code, 'invalid_number', bad);
        assert.equal(error.param, 'number');
      }
    });
  });

  describe('checkExpiry', () => {
    const cases: Array<[string, number, number, string | null]> = [
      ['a future date', 12, 2030, null],
      ['this month', 6, 2026, null],
      ['month 13', 13, 2030, 'invalid_expiry_month'],
      ['month 0', 0, 2030, 'invalid_expiry_month'],
      ['a past year', 12, 2025, 'invalid_expiry_year'],
      ['a year too far ahead', 1, 2100, 'invalid_expiry_year'],
      ['an earlier month this year', 5, 2026, 'invalid_expiry_month'],
    ];
    for (const [label, month, year, code] of cases) {
      it(`${code ?? 'accepts'} for ${label}`, () => {
        if (code === null) return checkExpiry(month, year, NOW);
        const error = thrown(() => checkExpiry(month, year, NOW));
        assert.equal(error.status, 402);
        assert.equal(error.code, code);
        assert.equal(error.param, code === 'invalid_expiry_month' ? 'exp_month' : 'exp_year');
      });
    }

    it('reads 2-digit years as this century', () => {
      assert.equal(normalizeExpYear(30), 2030);
      assert.equal(normalizeExpYear(2030), 2030);
    });
  });

  describe('checkCvc', () => {
    it('wants 3 digits, 4 for amex', () => {
      checkCvc('123', 'visa');
      checkCvc('1234', 'amex');
      for (const [cvc, brand] of [
        ['12', 'visa'],
        ['1234', 'visa'],
        ['12a', 'visa'],
        ['123', 'amex'],
      ] as const) {
        const error = thrown(() => checkCvc(cvc, brand));
        assert.equal(error.code, 'invalid_cvc', `${cvc} ${brand}`);
        assert.equal(error.param, 'cvc');
      }
    });
  });

  describe('cardFingerprint', () => {
    it('is 16 hex characters, stable per key and account, different across them', () => {
      const a = cardFingerprint('key', 'acct_1', '4242424242424242');
      assert.match(a, /^[0-9a-f]{16}$/);
      assert.equal(cardFingerprint('key', 'acct_1', '4242424242424242'), a);
      assert.notEqual(cardFingerprint('key', 'acct_2', '4242424242424242'), a);
      assert.notEqual(cardFingerprint('other', 'acct_1', '4242424242424242'), a);
      assert.notEqual(cardFingerprint('key', 'acct_1', '5555555555554444'), a);
      assert.ok(!a.includes('4242'));
    });
  });
});
