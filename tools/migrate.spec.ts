import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { EntityDefinition, MigrationReport } from '@suite/persistence';
import { Schema } from 'mongoose';
import { CATEGORY_SERVICE } from '../apps/category/src/config/category.config';
import { COUPON_SERVICE } from '../apps/coupon/src/config/coupon.config';
import { CUSTOMER_SEGMENT_SERVICE } from '../apps/customer-segment/src/config/customer-segment.config';
import { WEBHOOK_SERVICE } from '../apps/webhook/src/config/webhook.config';
import { exitCodeOf, parseArgs, STORAGES } from './migrate';

const APPS = path.join(__dirname, '..', 'apps');

/** The names of every entity definition exported by the `*.schema.ts` files of an app. */
async function schemaEntities(app: string): Promise<string[]> {
  const files = (readdirSync(path.join(APPS, app, 'src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.schema.ts'));
  const found: string[] = [];
  for (const file of files) {
    const exports = (await import(path.join(APPS, app, 'src', file))) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      const entity = value as EntityDefinition | undefined;
      if (entity && typeof entity.name === 'string' && entity.schema instanceof Schema) found.push(entity.name);
    }
  }
  return found.sort();
}

describe('npm run migrate: what it covers', () => {
  it.each([
    ['customer-segment', CUSTOMER_SEGMENT_SERVICE.database],
    ['coupon', COUPON_SERVICE.database],
    ['category', CATEGORY_SERVICE.database],
    ['webhook', WEBHOOK_SERVICE.database],
  ])('declares every entity of %s, in the database the app uses', async (app, database) => {
    const storage = STORAGES.find((s) => s.service === app);
    expect(storage?.database).toBe(database);
    const entities = await schemaEntities(app);
    expect(entities.length).toBeGreaterThan(0);
    expect(storage?.entities.map((e) => e.name).sort()).toEqual(entities);
  });

  const entry = (outcome: string) => ({ outcome }) as MigrationReport['indexes'][number];
  const report = (...outcomes: string[]): MigrationReport => ({ indexes: outcomes.map(entry), undeclared: [], unknownCollections: [] });

  it('exits 0 when everything exists as declared, 2 for a difference left in place, 1 for a failure', () => {
    expect(exitCodeOf(report('created', 'existed', 'replaced'))).toBe(0);
    expect(exitCodeOf(report('existed', 'conflict'))).toBe(2);
    expect(exitCodeOf(report('conflict', 'failed'))).toBe(1);
  });

  it('needs a mongodb:// MONGODB_URI and knows only its own options', () => {
    expect(parseArgs([], {})).toContain('MONGODB_URI is required');
    expect(parseArgs(['--drop'], { MONGODB_URI: 'mongodb://h' })).toContain('unknown option(s): --drop');
    expect(parseArgs(['--apply-changes'], { MONGODB_URI: 'mongodb://h:1' })).toEqual({
      uri: 'mongodb://h:1',
      applyChanges: true,
      json: false,
    });
  });
});
