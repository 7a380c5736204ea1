import { Controller, Get, Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { ApiError } from '../errors';
import { Public } from './public.decorator';

/** Resolves when the database answers; the persistence module provides it (HTTP-13). */
export type ReadinessProbe = () => Promise<void>;
export const READINESS_PROBE = Symbol.for('suite.readinessProbe');

/** Flips to "shutting down" when Nest starts closing, so readiness answers 503 while draining. */
@Injectable()
export class Lifecycle implements OnApplicationShutdown {
  shuttingDown = false;
  beforeApplicationShutdown() {
    this.shuttingDown = true;
  }
  onApplicationShutdown() {
    this.shuttingDown = true;
  }
}

const READY_TIMEOUT_MS = 1000;

/**
 * HTTP-13. Hand-written rather than @nestjs/terminus: the contract fixes the bodies
 * (`{"status":"ok"}`, and the service's own error profile for the 503), which terminus would wrap
 * in its own report format.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly lifecycle: Lifecycle,
    @Optional() @Inject(READINESS_PROBE) private readonly probe?: ReadinessProbe,
  ) {}

  @Get('live')
  @Public()
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  async ready() {
    if (this.lifecycle.shuttingDown) throw new ApiError('service_unavailable', 'The service is shutting down.');
    if (this.probe) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('readiness probe timed out')), READY_TIMEOUT_MS);
      });
      try {
        await Promise.race([this.probe(), timeout]);
      } catch {
        throw new ApiError('service_unavailable', 'The database is not reachable.');
      } finally {
        clearTimeout(timer);
      }
    }
    return { status: 'ok' };
  }
}
