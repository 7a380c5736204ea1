import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { LOGGER } from '@suite/api-kit';
import { PeriodicPass } from '@suite/foundation';
import type { EventOrigin } from '@suite/persistence';
import type { Logger } from 'pino';
import { SEGMENT_SETTINGS, SegmentSettings } from '../common/settings';
import { RuleJobsRepository } from '../rules/rule-jobs.repository';
import { ProfilesRepository } from './profiles.repository';
import { ProfilesService } from './profiles.service';

/** How long a write's own evaluation may take before the sweep takes it over (it normally takes milliseconds). */
const GRACE_MS = 60_000;
/** Profiles one pass evaluates per tenant at most; the rest wait for the next pass. */
const PER_TENANT = 100;

/**
 * Finds customer profiles whose write was stored but whose evaluation never ran (the instance
 * stopped in between, kill -9) and evaluates them (README "Rule-based segments", R.2). Every write
 * marks its profile `evaluationDue`; the evaluation removes the mark; a mark older than a minute
 * is a lost evaluation. Only tenants that have had a rule are looked at (they have rule jobs): a
 * tenant without rules has no rule membership to repair. Instances may sweep the same profile at
 * once: an evaluation is idempotent (a membership is created once, removed once, each with its
 * one event).
 */
@Injectable()
export class EvaluationSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly passes: PeriodicPass;
  private stopped = false;

  constructor(
    private readonly profiles: ProfilesRepository,
    private readonly writes: ProfilesService,
    private readonly jobs: RuleJobsRepository,
    @Inject(SEGMENT_SETTINGS) settings: SegmentSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.passes = new PeriodicPass(() => this.sweep(), settings.profileEvaluationSweepMs);
  }

  onApplicationBootstrap(): void {
    this.passes.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.passes.stop();
  }

  /**
   * One pass over the tenants with rules; answers how many profiles it evaluated. A tenant or a
   * profile that fails is logged and skipped: the others are not held up behind it.
   */
  async sweep(before = new Date(Date.now() - GRACE_MS)): Promise<number> {
    let evaluated = 0;
    let tenants: string[];
    try {
      tenants = await this.jobs.tenants();
    } catch (err) {
      this.logger.warn({ err }, 'looking for profiles with a lost rule evaluation failed; the next pass retries');
      return 0;
    }
    for (const tenant of tenants) {
      const origin: EventOrigin = {
        tenant,
        requestId: 'profile-evaluation-sweep',
        auth: { principalType: 'service', subject: 'customer-segment' },
      };
      try {
        for (const key of await this.profiles.evaluationsDue(tenant, before, PER_TENANT)) {
          if (this.stopped) return evaluated;
          try {
            await this.writes.evaluate(origin, key);
            evaluated++;
          } catch (err) {
            this.logger.warn({ err, tenant, profile: key }, 'a lost rule evaluation could not be repaired; the next pass retries');
          }
        }
      } catch (err) {
        this.logger.warn({ err, tenant }, 'looking for profiles with a lost rule evaluation failed; the next pass retries');
      }
    }
    if (evaluated) this.logger.warn({ profiles: evaluated }, 'evaluated profiles whose write lost its rule evaluation');
    return evaluated;
  }
}
