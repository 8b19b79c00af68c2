// The yardstick: the smallest honest durable server — Fastify + better-sqlite3, WAL with
// fsync on every commit, one insert (customers) or one six-row transaction (payments) per
// request. Payrail's numbers are reported as ratios to this, measured in the same run.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { randomBytes } from 'node:crypto';

const path = process.argv[2];
const port = Number(process.argv[3]);
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`
  create table if not exists customers (id text primary key, email text, created integer);
  create table if not exists intents (id text primary key, amount integer, status text);
  create table if not exists charges (id text primary key, intent text, amount integer);
  create table if not exists txns (id text primary key, source text, amount integer, fee integer);
  create table if not exists ledger (
    id integer primary key, posting text, account text, amount integer);
  create table if not exists events (id text primary key, type text, data text);
`);
const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const insertCustomer = db.prepare('insert into customers values (?, ?, ?)');
const insertIntent = db.prepare('insert into intents values (?, ?, ?)');
const insertCharge = db.prepare('insert into charges values (?, ?, ?)');
const insertTxn = db.prepare('insert into txns values (?, ?, ?, ?)');
const insertLedger = db.prepare('insert into ledger (posting, account, amount) values (?, ?, ?)');
const insertEvent = db.prepare('insert into events values (?, ?, ?)');
const getIntent = db.prepare('select * from intents where id = ?');
const pay = db.transaction((amount: number) => {
  const intent = id('pi');
  const charge = id('ch');
  const fee = Math.round(amount * 0.029) + 30;
  insertIntent.run(intent, amount, 'succeeded');
  insertCharge.run(charge, intent, amount);
  insertTxn.run(id('txn'), charge, amount, fee);
  insertLedger.run(charge, 'payer', -amount);
  insertLedger.run(charge, 'merchant', amount - fee);
  insertEvent.run(id('evt'), 'payment_intent.succeeded', JSON.stringify({ intent, amount }));
  return intent;
});

const app = Fastify({ logger: false });
app.addContentTypeParser(
  'application/x-www-form-urlencoded',
  { parseAs: 'string' },
  (_r, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
);
app.post('/v1/customers', async (request) => {
  const body = request.body as Record<string, string>;
  const customer = {
    id: id('cus'),
    email: body.email ?? null,
    created: Math.floor(Date.now() / 1000),
  };
  insertCustomer.run(customer.id, customer.email, customer.created);
  return customer;
});
app.post('/v1/payments', async (request) => {
  const body = request.body as Record<string, string>;
  return { id: pay(Number(body.amount ?? 2000)), status: 'succeeded' };
});
app.get('/v1/payments/:id', async (request) =>
  getIntent.get((request.params as { id: string }).id),
);
app.listen({ port, host: '127.0.0.1' }).then(() => process.stdout.write('ready\n'));
