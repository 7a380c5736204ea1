/** The EventSink services emit through (the outbox, EVT-4). */
export const EVENT_SINK = Symbol.for('suite.eventSink');
