import type { FastifyInstance } from 'fastify';
import { retrieveAccount } from '../../services/accounts.js';
import { accountToWire } from '../../wire/account.js';
import { parseParams } from '../params.js';
import { renderObject, runRead } from '../render.js';
import type { RouteDeps } from '../route-deps.js';
import { callContext } from '../request-context.js';

export function registerAccountRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { store } = deps;

  // The account of the key that calls: there is no way to name another one.
  app.get('/v1/account', { config: { resource: 'account' } }, async (request, reply) => {
    const params = parseParams(request.query, {});
    return runRead(store, reply, async (tx) => {
      const row = await retrieveAccount(tx, callContext(request));
      return renderObject(tx, request, accountToWire(row), params.expand);
    });
  });
}
