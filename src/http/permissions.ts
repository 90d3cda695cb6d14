// Each route declares, in its config, the one permission it needs — or that any verified token
// will do (`authenticated`: who am I), or that it is public (health, metrics, docs). A route that declares neither is refused at startup (auth-hook.ts).

import type { Permission } from '../auth/access-table.ts';
import type { Principal } from '../auth/principal.ts';

export type { Permission };

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
    /** Any verified token, whatever it grants (only for answers about the token itself). */
    authenticated?: boolean;
    public?: boolean;
    /**
     * Writes through the analytics store's writer (ingest, FX rates, replays): served by the
     * process that ingests — in a cluster the consumer, to which the ingress routes these paths.
     */
    writer?: boolean;
  }
  interface FastifyRequest {
    /** The verified caller; null only on public routes. */
    principal: Principal | null;
  }
}
