/** The EventSink services emit through (the outbox, EVT-4). */
export const EVENT_SINK = Symbol.for('suite.eventSink');

/** The service's mongoose connection (the one @nestjs/mongoose opens). */
export const MONGO_CONNECTION = Symbol.for('suite.mongoConnection');
