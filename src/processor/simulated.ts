import type { AuthorizationRequest, AuthorizationResult, Processor } from './processor.js';

/** Answers from the card's test scenario; see domain/test-cards.ts. */
export class SimulatedProcessor implements Processor {
  async authorize(request: AuthorizationRequest): Promise<AuthorizationResult> {
    void request;
    return { kind: 'approved', riskScore: 20, bypassPending: false };
  }
}
