// @suite/mongo-embedded: an embedded MongoDB-compatible wire-protocol server for development and
// tests. Not a production database.
export { EmbeddedMongo } from './server';
export type { EmbeddedMongoOptions } from './server';
