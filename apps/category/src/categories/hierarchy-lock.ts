import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, newUuid } from '@suite/api-kit';
import type { Logger } from 'pino';
import { hierarchyBusy } from '../shared/category.errors';
import { CategoryStateRepository } from './category-state.repository';

/** A held hierarchy lock; `confirm()` right before the writes proves it is still ours. */
export interface HierarchyLease {
  confirm(): Promise<void>;
}

/** Lock lifetime: long enough for a large subtree move, short enough that a crashed holder's lock lapses soon. */
export const LOCK_TTL_MS = 30_000;
/** How long a writer waits for the lock before answering 503. */
export const LOCK_WAIT_MS = 10_000;

/**
 * Serialises the hierarchy writes of one tenant (category §4.3): parent changes, creates under a
 * parent and deletes. Without transactions (EVT-4), two moves that each look fine alone could
 * together form a cycle (A under B while B goes under A); with the lock, the second one re-reads
 * the ancestor chain after the first finished and is rejected. The lock is a single document
 * taken with one atomic guarded upsert, carries an owner and an expiry (a crashed holder's lock
 * lapses), is renewed before the writes (so a holder that outlived its lease notices instead of
 * writing unprotected) and released by owner only.
 */
@Injectable()
export class HierarchyLock {
  constructor(
    private readonly state: CategoryStateRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async run<T>(tenant: string, work: (lease: HierarchyLease) => Promise<T>): Promise<T> {
    const owner = newUuid();
    const deadline = Date.now() + LOCK_WAIT_MS;
    let delay = 2;
    while (!(await this.state.tryAcquire(tenant, owner, LOCK_TTL_MS))) {
      if (Date.now() + delay > deadline) throw hierarchyBusy();
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
      delay = Math.min(delay * 2, 50);
    }
    const lease: HierarchyLease = {
      confirm: async () => {
        if (!(await this.state.renew(tenant, owner, LOCK_TTL_MS))) throw hierarchyBusy();
      },
    };
    try {
      return await work(lease);
    } finally {
      await this.state.release(tenant, owner).catch((e: unknown) => this.logger.warn({ tenant, err: e }, 'hierarchy lock release failed; it lapses on its own'));
    }
  }
}
