import { parsePatch, parseTarget } from './config-patch';
import { applyPatch, PatchState } from './config-patch-apply';
import { configurationProblems, resolveEntries } from './config-entries';
import type { EventsConfigurationEntry } from './webhook-config.types';

const ids = () => {
  let n = 0;
  return () => `new-${++n}`;
};

describe('parseTarget', () => {
  it.each([
    ['/active', { kind: 'active' }],
    ['/configuration', { kind: 'configuration' }],
    ['/configuration/svix/apiKey', { kind: 'svix' }],
    ['/configuration/http/headers', { kind: 'root', field: 'headers' }],
    ['/configuration/http/eventsConfiguration', { kind: 'entries' }],
    ['/configuration/http/eventsConfiguration/Coupon.Created', { kind: 'legacy', eventType: 'Coupon.Created' }],
    ['/configuration/http/eventsConfiguration/coupon.created/headers', { kind: 'legacy', eventType: 'coupon.created', field: 'headers' }],
    ['/configuration/http/eventsConfigurationEntry', { kind: 'newEntry' }],
    ['/configuration/http/eventsConfigurationEntry/abc', { kind: 'entry', entryId: 'abc' }],
    ['/configuration/http/eventsConfigurationEntry/abc/excludedFields', { kind: 'entry', entryId: 'abc', field: 'excludedFields' }],
  ])('%s', (path, target) => {
    expect(parseTarget(path)).toEqual(target);
  });

  it.each([
    '',
    '/',
    '/active/x',
    '/configuration/http',
    '/configuration/http/',
    '/configuration/http/eventsConfiguration/',
    '/configuration/http/eventsConfiguration/coupon.created/filter',
    '/configuration/http/eventsConfigurationEntry/abc/eventType',
    '/configuration/http/eventsConfigurationEntry/abc/name/x',
    '/configuration/http/eventsConfigurationEntry//name',
    '/configuration/other',
  ])('%p is not a path of the contract', (path) => {
    expect(parseTarget(path)).toBeUndefined();
  });
});

describe('parsePatch', () => {
  it('reports a Svix path alone as svixOnly', () => {
    expect(parsePatch([{ op: 'UPSERT', path: '/configuration/svix/apiKey', value: 'k' }]).svixOnly).toBe(true);
    expect(
      parsePatch([
        { op: 'UPSERT', path: '/configuration/svix/apiKey', value: 'k' },
        { op: 'X', path: '/active' },
      ]).svixOnly,
    ).toBe(false);
  });

  it('needs no value for REMOVE and ignores one', () => {
    const { operations, problems } = parsePatch([{ op: 'REMOVE', path: '/configuration/http/headers', value: 'ignored' }]);
    expect(problems).toEqual([]);
    expect(operations).toEqual([
      { index: 0, op: 'REMOVE', path: '/configuration/http/headers', target: { kind: 'root', field: 'headers' }, value: undefined },
    ]);
  });

  it('refuses more than 100 operations as a whole', () => {
    const body = Array.from({ length: 101 }, () => ({ op: 'UPSERT', path: '/active', value: true }));
    expect(parsePatch(body).problems).toEqual([{ type: 'too_many_items', message: 'at most 100 operations are allowed, got 101' }]);
  });
});

describe('applyPatch', () => {
  const entry = (id: string, eventType: string, extra: Partial<EventsConfigurationEntry> = {}): EventsConfigurationEntry => ({
    id,
    eventType,
    active: true,
    ...extra,
  });
  const state = (...entries: EventsConfigurationEntry[]): PatchState => ({
    active: true,
    configuration: { destinationUrl: 'https://a.example/', eventsConfiguration: entries },
  });

  it('works on a copy: the stored state is never changed', () => {
    const current = state(entry('e1', 'coupon.created', { secretKey: 's' }));
    const before = structuredClone(current);
    const { operations } = parsePatch([{ op: 'REMOVE', path: '/configuration/http/eventsConfigurationEntry/e1' }]);
    const result = applyPatch(current, operations, ids());
    expect(result.state.configuration.eventsConfiguration).toEqual([]);
    expect(current).toEqual(before);
  });

  it('later operations see earlier ones, and every failing operation is reported', () => {
    const { operations } = parsePatch([
      { op: 'REMOVE', path: '/configuration/http/eventsConfigurationEntry/e1' },
      { op: 'UPSERT', path: '/configuration/http/eventsConfigurationEntry/e1/name', value: 'x' },
      {
        op: 'UPSERT',
        path: '/configuration/http/eventsConfigurationEntry',
        value: { eventType: 'coupon.updated', destinationUrl: 'https://b.example/' },
      },
      { op: 'UPSERT', path: '/configuration/http/eventsConfigurationEntry/e2/name', value: 'x' },
    ]);
    const result = applyPatch(state(entry('e1', 'coupon.created')), operations, ids());
    expect(result.problems.map((p) => p.field)).toEqual(['[1].path', '[3].path']);
    expect(result.state.configuration.eventsConfiguration).toEqual([
      { id: 'new-1', eventType: 'coupon.updated', destinationUrl: 'https://b.example/', active: true },
    ]);
    expect(result.written).toEqual([{ url: 'https://b.example/', field: '[2].value.destinationUrl' }]);
  });
});

describe('resolveEntries and configurationProblems', () => {
  it('keeps an id only where the stored list and the payload each have one entry of the type', () => {
    const stored = [{ id: 'a', eventType: 'coupon.created', active: true, secretKey: 's' }];
    const one = resolveEntries(stored, [{ eventType: 'COUPON.CREATED' }], 'e', ids());
    expect(one.entries).toEqual([{ id: 'a', eventType: 'COUPON.CREATED', active: true, secretKey: 's' }]);
    const two = resolveEntries(stored, [{ eventType: 'coupon.created' }, { eventType: 'coupon.created' }], 'e', ids());
    expect(two.entries.map((e) => e.id)).toEqual(['new-1', 'new-2']);
    const claimed = resolveEntries(stored, [{ id: 'a', eventType: 'coupon.updated' }], 'e', ids());
    expect(claimed.entries).toEqual([{ id: 'a', eventType: 'coupon.updated', active: true, secretKey: 's' }]);
  });

  it('an inactive config may lack destinations; an active one may not', () => {
    const c = { eventsConfiguration: [{ id: 'a', eventType: 'coupon.created', active: true }] };
    expect(configurationProblems(false, c)).toEqual([]);
    expect(configurationProblems(true, c).map((d) => d.field)).toEqual(['configuration.eventsConfiguration[0].destinationUrl']);
    expect(configurationProblems(true, { ...c, destinationUrl: 'https://a.example/' })).toEqual([]);
  });
});
