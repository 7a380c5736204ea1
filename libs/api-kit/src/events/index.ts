// Domain events (conventions section 11): the CloudEvents envelope, the event types, the sink the
// outbox implements, and the EVT-4 rule that a failed emit never fails the request.
export * from './event-types';
export * from './event-envelope';
export * from './event-sink';
