/**
 * A background pass run every `intervalMs`, never two at once in this process: a tick that finds
 * the last pass still running is skipped. The timer does not keep the process alive, and `stop()`
 * (from the owner's `onModuleDestroy`) waits for a pass under way. Hand-written: @nestjs/schedule's
 * `@Interval` neither skips a tick while the last pass runs nor waits for it at shutdown.
 */
export class PeriodicPass {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.pass().finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
