// Each route declares the permission it needs in its config. Authentication and the central
// role table arrive with the API issue; this is the one place they will hook into.

export type Permission = 'events:write' | 'analytics:view' | 'analytics:ops';

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
  }
}
