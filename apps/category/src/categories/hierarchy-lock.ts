import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, newUuid } from '@suite/api-kit';
import type { Logger } from 'pino';
import { hierarchyBusy } from '../common/category.errors';
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

  /** Per tenant, the end of the queue of this process's writers (see `run`). */
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(tenant: string, work: (lease: HierarchyLease) => Promise<T>): Promise<T> {
    const owner = newUuid();
    const deadline = Date.now() + LOCK_WAIT_MS;
    // Writers of this process queue in arrival order before competing for the database lock:
    // polling with backoff alone lets an unlucky writer starve behind a steady stream of others
    // (503 after 10 s under 16 concurrent creates). Across processes the database lock decides.
    const previous = this.tails.get(tenant) ?? Promise.resolve();
    let leave!: () => void;
    const turn = new Promise<void>((resolve) => (leave = resolve));
    const tail = previous.then(() => turn);
    this.tails.set(tenant, tail);
    try {
      await waitUntil(previous, deadline);
      return await this.locked(tenant, owner, deadline, work);
    } finally {
      leave();
      if (this.tails.get(tenant) === tail) this.tails.delete(tenant);
    }
  }

  private async locked<T>(tenant: string, owner: string, deadline: number, work: (lease: HierarchyLease) => Promise<T>): Promise<T> {
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
      await this.state
        .release(tenant, owner)
        .catch((e: unknown) => this.logger.warn({ tenant, err: e }, 'hierarchy lock release failed; it lapses on its own'));
    }
  }
}

/** Resolves when `p` does, or rejects with the 503 once `deadline` passes first. */
async function waitUntil(p: Promise<void>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(hierarchyBusy()), Math.max(0, deadline - Date.now())))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
