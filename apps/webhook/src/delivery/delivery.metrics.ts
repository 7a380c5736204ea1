import { metricsRegistry } from '@suite/observability';
import { Counter, Histogram } from 'prom-client';
import type { SendOutcome } from './delivery-sender';

// The delivery engine's metrics (README "Delivery"). Labels are bounded sets; the tenant and the
// destination are never labels (TEN-8): per-tenant figures are the statistics endpoint's.

const attempts = new Counter({
  name: 'webhook_delivery_attempts_total',
  help: 'Delivery attempts, by outcome (success, status, timeout, network, refused).',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

const attemptDuration = new Histogram({
  name: 'webhook_delivery_attempt_duration_seconds',
  help: 'Duration of one delivery attempt, by outcome.',
  labelNames: ['outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

const latency = new Histogram({
  name: 'webhook_delivery_latency_seconds',
  help: 'Time from a delivery being stored to its receiver answering 2xx, retries included.',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600, 3600],
  registers: [metricsRegistry],
});

const completed = new Counter({
  name: 'webhook_deliveries_completed_total',
  help: 'Deliveries that reached a final state: SUCCEEDED, FAILED (dead-lettered) or CANCELLED.',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});

export const deliveryMetrics = {
  attempt(outcome: SendOutcome, durationMs: number): void {
    attempts.inc({ outcome });
    attemptDuration.observe({ outcome }, durationMs / 1000);
  },
  completed(state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', createdAt?: Date, at?: Date): void {
    completed.inc({ state });
    if (state === 'SUCCEEDED' && createdAt && at) latency.observe(Math.max(0, (at.getTime() - new Date(createdAt).getTime()) / 1000));
  },
};
