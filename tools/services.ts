/**
 * The suite's apps, in launch order: each one's process under `dist/apps/<name>`, its route prefix
 * on the base URL. A file of its own so that the launcher knows them without loading the gateway
 * (which loads Fastify and @suite/api-kit): `npm start` spawns the children first and loads the
 * gateway while they boot.
 */
export const SERVICES = ['customer-segment', 'coupon', 'category', 'webhook'] as const;
export type ServiceName = (typeof SERVICES)[number];
