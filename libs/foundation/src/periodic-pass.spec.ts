import { PeriodicPass } from './periodic-pass';

describe('PeriodicPass', () => {
  it('runs the pass every interval, never two at once, and stop() waits for the pass under way', async () => {
    let active = 0;
    let most = 0;
    let started = 0;
    let finished = 0;
    const passes = new PeriodicPass(async () => {
      started++;
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 45));
      active--;
      finished++;
    }, 10);
    passes.start();
    passes.start(); // a second start adds no timer
    await new Promise((r) => setTimeout(r, 160));
    await passes.stop();
    expect(started).toBeGreaterThanOrEqual(2);
    expect(most).toBe(1);
    expect(finished).toBe(started);
    const after = started;
    await new Promise((r) => setTimeout(r, 40));
    expect(started).toBe(after);
  });
});
