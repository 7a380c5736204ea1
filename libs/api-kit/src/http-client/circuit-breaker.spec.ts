import { BreakerOutcome, BreakerState, CircuitBreaker, CircuitBreakerOptions } from './circuit-breaker';

// The breaker has no timers: a fake clock drives every rule of S2S-8 deterministically.
function setup(options: Partial<CircuitBreakerOptions> = {}) {
  let t = 1_000_000;
  const changes: [BreakerState, BreakerState, string][] = [];
  const breaker = new CircuitBreaker(options, { now: () => t, onStateChange: (f, to, why) => changes.push([f, to, why]) });
  const call = (outcome: BreakerOutcome): boolean => {
    const d = breaker.tryAcquire();
    if (!d.allowed) return false;
    breaker.record(d.permit, outcome);
    return true;
  };
  return { breaker, changes, call, advance: (ms: number) => (t += ms) };
}

describe('CircuitBreaker', () => {
  it('opens on the 5th consecutive failure, not before', () => {
    const { breaker, call, changes } = setup();
    for (let i = 0; i < 4; i += 1) call('failure');
    expect(breaker.state).toBe('closed');
    call('failure');
    expect(breaker.state).toBe('open');
    expect(changes).toEqual([['closed', 'open', '5 consecutive failures']]);
  });

  it('a success (any non-failure answer) resets the consecutive count', () => {
    const { breaker, call } = setup();
    for (let i = 0; i < 4; i += 1) call('failure');
    call('success');
    for (let i = 0; i < 4; i += 1) call('failure');
    expect(breaker.state).toBe('closed');
  });

  it('opens when at least 50 % of at least 10 recent calls failed', () => {
    const { breaker, call } = setup();
    // F S F S ... : never 5 in a row; after 10 calls 5 failed = 50 %
    for (let i = 0; i < 9; i += 1) call(i % 2 === 0 ? 'failure' : 'success');
    expect(breaker.state).toBe('closed'); // 9 calls, 5 failures: too few calls for the ratio rule
    call('success');
    expect(breaker.state).toBe('closed'); // a success never opens it
    call('failure'); // 11 calls, 6 failures
    expect(breaker.state).toBe('open');
  });

  it('does not open below 50 %', () => {
    const { breaker, call } = setup();
    // S S F S F S F S F S F : 11 calls, 5 failures (45 %)
    call('success');
    for (let i = 0; i < 10; i += 1) call(i % 2 === 0 ? 'success' : 'failure');
    expect(breaker.state).toBe('closed');
  });

  it('considers only the last 20 calls', () => {
    const { breaker, call } = setup();
    // 4 failures + 1 success, repeated: 80 % failure rate, would open at once.
    // Instead: 20 successes, then 9 failures interleaved so that the old successes leave the window.
    for (let i = 0; i < 20; i += 1) call('success');
    for (let i = 0; i < 9; i += 1) {
      call('failure');
      call('success');
    }
    // last 20 calls: S, S, 9×(F,S) = 9 failures of 20 = 45 % → closed
    expect(breaker.state).toBe('closed');
    call('failure'); // window: (F,S)×9 + F ... minus oldest S → 10 failures of 20 = 50 %
    expect(breaker.state).toBe('open');
  });

  it('ignores calls older than the 30 s window for the ratio rule', () => {
    const { breaker, call, advance } = setup();
    for (let i = 0; i < 4; i += 1) {
      call('failure');
      call('success');
    }
    advance(30_001); // those 8 calls age out
    for (let i = 0; i < 3; i += 1) {
      call('failure');
      call('success');
    }
    // within 30 s: only 6 calls → ratio rule needs 10
    expect(breaker.state).toBe('closed');
    call('failure');
    call('success');
    call('failure'); // 9 recent calls
    expect(breaker.state).toBe('closed');
    call('failure'); // 10 recent calls, 6 failures
    expect(breaker.state).toBe('open');
  });

  it('fails fast while open, with the remaining open time, then lets exactly one probe through', () => {
    const { breaker, call, advance } = setup();
    for (let i = 0; i < 5; i += 1) call('failure');
    advance(10_000);
    const refused = breaker.tryAcquire();
    expect(refused).toEqual({ allowed: false, retryAfterMs: 20_000 });
    advance(20_000);
    expect(breaker.state).toBe('half-open');
    const probe = breaker.tryAcquire();
    expect(probe.allowed && probe.permit.probe).toBe(true);
    const second = breaker.tryAcquire();
    expect(second.allowed).toBe(false);
    if (probe.allowed) breaker.record(probe.permit, 'success');
    expect(breaker.state).toBe('closed');
    expect(call('success')).toBe(true);
  });

  it('reopens for a full period when the probe fails', () => {
    const { breaker, call, advance, changes } = setup();
    for (let i = 0; i < 5; i += 1) call('failure');
    advance(30_000);
    expect(call('failure')).toBe(true);
    expect(breaker.state).toBe('open');
    const d = breaker.tryAcquire();
    expect(d).toEqual({ allowed: false, retryAfterMs: 30_000 });
    expect(changes.map(([f, t]) => `${f}>${t}`)).toEqual(['closed>open', 'open>half-open', 'half-open>open']);
  });

  it('a cancelled probe (never reached the peer) lets the next caller probe', () => {
    const { breaker, call, advance } = setup();
    for (let i = 0; i < 5; i += 1) call('failure');
    advance(30_000);
    const probe = breaker.tryAcquire();
    if (!probe.allowed) throw new Error('probe expected');
    breaker.record(probe.permit, 'cancelled');
    expect(breaker.state).toBe('half-open');
    const next = breaker.tryAcquire();
    expect(next.allowed && next.permit.probe).toBe(true);
  });

  it('after closing, starts counting afresh', () => {
    const { breaker, call, advance } = setup();
    for (let i = 0; i < 5; i += 1) call('failure');
    advance(30_000);
    call('success');
    for (let i = 0; i < 4; i += 1) call('failure');
    expect(breaker.state).toBe('closed');
  });

  it('outcomes of attempts that started before it opened neither extend nor end the open period', () => {
    const { breaker, call, advance } = setup();
    const early = breaker.tryAcquire();
    if (!early.allowed) throw new Error('expected permit');
    for (let i = 0; i < 5; i += 1) call('failure');
    advance(29_000);
    breaker.record(early.permit, 'failure');
    advance(1_000);
    expect(breaker.state).toBe('half-open');
    const early2 = breaker.tryAcquire(); // the probe
    if (!early2.allowed) throw new Error('expected probe');
    breaker.record(early.permit, 'success'); // stale success must not close it
    expect(breaker.tryAcquire().allowed).toBe(false);
  });

  it('cancelled attempts do not count', () => {
    const { breaker, call } = setup();
    for (let i = 0; i < 4; i += 1) call('failure');
    for (let i = 0; i < 10; i += 1) call('cancelled');
    expect(breaker.state).toBe('closed');
    call('failure');
    expect(breaker.state).toBe('open');
  });

  it('rejects nonsensical options', () => {
    expect(() => new CircuitBreaker({ openMs: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker({ failureRatio: 1.5 })).toThrow(RangeError);
  });
});
