#!/usr/bin/env node
// Runs every test file under test/ with Node's test runner (TypeScript through tsx) and closes
// with one plain "N passed, N failed, N skipped" line (CI reads it). Extra arguments narrow the
// run to matching files. When PAYRAIL_TEST_POSTGRES_URL names a PostgreSQL server (see
// .ci/services.sh), the whole suite runs twice, on SQLite and then with
// PAYRAIL_TEST_DATABASE=postgres, and the closing line adds both passes up.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

/** One run of the suite on one database; returns its counts and whether it exited cleanly. */
function runPass(database, files) {
  const tapFile = join(mkdtempSync(join(tmpdir(), 'payrail-tests-')), 'results.tap');
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${process.env.PAYRAIL_TEST_CONCURRENCY ?? 2}`,
      '--test-timeout=120000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tapFile}`,
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, PAYRAIL_TEST_DATABASE: database } },
  );
  let tap = '';
  try {
    tap = readFileSync(tapFile, 'utf8');
  } catch {
    // The runner died before writing results; the exit status below reports the failure.
  }
  const count = (label) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
  return {
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped'),
    ok: result.status === 0,
  };
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
const databases = process.env.PAYRAIL_TEST_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite'];

const total = { passed: 0, failed: 0, skipped: 0, ok: true };
for (const database of databases) {
  if (databases.length > 1) console.log(`\n== tests on ${database}`);
  const pass = runPass(database, files);
  if (databases.length > 1) {
    // Worded unlike the closing line, so that only one line of the output has that form.
    const { passed, failed, skipped } = pass;
    console.log(`== ${database} pass: passed ${passed}, failed ${failed}, skipped ${skipped}`);
  }
  total.passed += pass.passed;
  total.failed += pass.failed;
  total.skipped += pass.skipped;
  total.ok &&= pass.ok;
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.ok && total.failed === 0 && total.passed > 0 ? 0 : 1);
