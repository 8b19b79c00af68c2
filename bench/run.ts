// `npm run bench`: Payrail, the yardstick and stripe-stateful-mock, started in one run on this
// machine and driven by autocannon with 50 connections. Prints a table of requests/s, p50,
// p99 and peak RSS with Payrail's ratio to each, and writes its table into docs/performance.md
// (between the bench markers) and a chart.
import autocannon from 'autocannon';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { markdownTable, svgChart, type Measurement } from './report.js';
import { sampleRss, startServer, stopServer, type ServerUnderTest } from './servers.js';
import { seedHistory } from './seed-history.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const HISTORY_SIZE = Number(process.env.BENCH_HISTORY_SIZE ?? 1_000_000);
const SECRET = 'sk_test_benchbenchbenchbenchbench';
const AUTH = `Bearer ${SECRET}`;
const FORM = 'application/x-www-form-urlencoded';

interface Workload {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

async function drive(server: ServerUnderTest, workload: Workload): Promise<Measurement> {
  const stopSampling = sampleRss(server.process.pid!);
  const result = await autocannon({
    url: server.url + workload.path,
    method: workload.method,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization: AUTH, 'content-type': FORM },
    body: workload.body,
  });
  const measurement = {
    workload: workload.name,
    server: server.name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    peakRssMb: stopSampling(),
    errors: result.non2xx + result.errors,
  };
  console.log(JSON.stringify(measurement));
  return measurement;
}

async function post(url: string, body: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': FORM },
    body,
  });
  return (await response.json()) as Record<string, unknown>;
}

/** Drives each workload in turn (never two at once: they would share the cores). */
async function driveAll(server: ServerUnderTest, workloads: Workload[]): Promise<Measurement[]> {
  const results: Measurement[] = [];
  for (const workload of workloads) results.push(await drive(server, workload));
  await stopServer(server);
  return results;
}

const CREATE_CUSTOMER: Workload = {
  name: 'create customer',
  method: 'POST',
  path: '/v1/customers',
  body: 'email=bench%40example.com',
};
const payment = (path: string, body: string): Workload => ({
  name: 'one-request payment',
  method: 'POST',
  path,
  body,
});
const getIntent = (path: string): Workload => ({ name: 'get intent', method: 'GET', path });

const PAYRAIL_PAYMENT = 'amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true';
const MOCK_PAYMENT = 'amount=2000&currency=usd&source=tok_visa';

async function benchPayrail(
  dir: string,
): Promise<{ results: Measurement[]; firstAnswerMs: number }> {
  const databasePath = join(dir, 'payrail.db');
  const history = await seedHistory(`sqlite:${databasePath}`, SECRET, HISTORY_SIZE);
  const port = '4310';
  const server = await startServer(
    'payrail',
    process.execPath,
    ['dist/payrail.mjs', 'start', '--port', port, '--database', `sqlite:${databasePath}`],
    `http://127.0.0.1:${port}`,
    '/v1/customers?limit=1',
    { PAYRAIL_SECRET_KEY: SECRET, PAYRAIL_LOG_LEVEL: 'warn', PAYRAIL_RATE_LIMIT: '0', AUTH },
  );
  const intent = await post(`${server.url}/v1/payment_intents`, PAYRAIL_PAYMENT);
  const historyPath = `/v1/customers/${history.customerId}/transactions`;
  const results = await driveAll(server, [
    CREATE_CUSTOMER,
    payment('/v1/payment_intents', PAYRAIL_PAYMENT),
    { name: 'history first page', method: 'GET', path: historyPath },
    {
      name: 'history deep page',
      method: 'GET',
      path: `${historyPath}?starting_after=${history.deepCursorId}`,
    },
    getIntent(`/v1/payment_intents/${String(intent.id)}`),
  ]);
  return { results, firstAnswerMs: server.firstAnswerMs };
}

async function benchYardstick(dir: string): Promise<Measurement[]> {
  const port = '4311';
  const server = await startServer(
    'yardstick',
    process.execPath,
    ['--import', 'tsx', 'bench/yardstick.ts', join(dir, 'yardstick.db'), port],
    `http://127.0.0.1:${port}`,
    '/v1/payments/none',
  );
  const made = await post(`${server.url}/v1/payments`, 'amount=2000');
  return driveAll(server, [
    CREATE_CUSTOMER,
    payment('/v1/payments', 'amount=2000'),
    getIntent(`/v1/payments/${String(made.id)}`),
  ]);
}

/** stripe-stateful-mock has no payment intents: its one-request payment is a charge. */
async function benchStatefulMock(): Promise<Measurement[]> {
  const port = '4312';
  const server = await startServer(
    'stripe-stateful-mock',
    process.execPath,
    ['node_modules/stripe-stateful-mock/dist/cli.js'],
    `http://127.0.0.1:${port}`,
    '/v1/customers',
    { PORT: port, LOG_LEVEL: 'silent', AUTH },
  );
  const charge = await post(`${server.url}/v1/charges`, MOCK_PAYMENT);
  return driveAll(server, [
    CREATE_CUSTOMER,
    payment('/v1/charges', MOCK_PAYMENT),
    getIntent(`/v1/charges/${String(charge.id)}`),
  ]);
}

const REPORT = 'docs/performance.md';
const BEGIN = '<!-- bench:begin (written by npm run bench) -->';
const END = '<!-- bench:end -->';

/**
 * Replaces only the fenced measurements in docs/performance.md, so the analysis written around
 * them survives a rerun; a report without the fence is started anew.
 */
function writeReport(measured: string): void {
  const fenced = `${BEGIN}\n${measured}\n${END}`;
  const current = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '';
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next =
    begin >= 0 && end > begin
      ? current.slice(0, begin) + fenced + current.slice(end + END.length)
      : `# Performance\n\n${fenced}\n`;
  writeFileSync(REPORT, next);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'payrail-bench-'));
  const payrail = await benchPayrail(dir);
  const results = [
    ...payrail.results,
    ...(await benchYardstick(dir)),
    ...(await benchStatefulMock()),
  ];
  results.sort((a, b) => a.workload.localeCompare(b.workload));
  const table = markdownTable(results);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB`;
  const machine = `${cpus().length} × ${cpu}, ${memory}, Node ${process.version}`;
  const firstAnswer = `${payrail.firstAnswerMs.toFixed(0)} ms`;
  console.log(`\n${table}\n\nPayrail first answer after start: ${firstAnswer}`);
  writeFileSync('docs/performance.svg', svgChart(results));
  const today = new Date().toISOString().slice(0, 10);
  writeReport(
    [
      `Measured by \`npm run bench\` on ${today}: ${machine}.`,
      `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per workload; all servers in one run.`,
      `History pages run against one customer with ${HISTORY_SIZE.toLocaleString('en')}`,
      'transactions.',
      '',
      table,
      '',
      `Payrail's first answer came ${firstAnswer} after its process started.`,
      '',
      '![requests per second and p99 per workload](performance.svg)',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
