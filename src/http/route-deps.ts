import type { Services } from '../services/context.js';

/** What route files receive from the app: the process-wide services. */
export type RouteDeps = Services;
