// Collection and index management: create, collMod, drop, listCollections, createIndexes, listIndexes,
// dropIndexes, renameCollection and the statistics commands drivers and tools ask for.

import { Query } from 'mingo';
import { CommandError, Codes } from '../errors';
import { canonicalKey } from '../storage/bson-order';
import { Collection } from '../storage/collection';
import { IndexSpec, validateKeyPattern } from '../storage/index-def';
import { Doc, isPlainObject } from '../storage/paths';
import { parseValidationOptions } from '../storage/validation';
import { collMod } from './collmod';
import { collName, CommandContext, Handler, optDoc } from './context';
import { createView, viewEntry, viewOf } from './views';

const UNSUPPORTED_CREATE_OPTIONS = ['capped', 'timeseries', 'clusteredIndex', 'changeStreamPreAndPostImages', 'encryptedFields'];

function requireCollection(ctx: CommandContext, name: string): Collection {
  const coll = ctx.engine.peek(ctx.dbName)?.get(name);
  if (!coll) throw new CommandError(Codes.NamespaceNotFound, `ns does not exist: ${ctx.dbName}.${name}`);
  return coll;
}

/**
 * An index's signature (MongoDB 5.0+): key pattern, collation, partial filter, unique and sparse.
 * Two indexes may share a key pattern only if their signatures differ.
 */
function signatureKey(spec: Doc): string {
  return canonicalKey({
    key: spec.key,
    unique: spec.unique === true,
    sparse: spec.sparse === true,
    partialFilterExpression: spec.partialFilterExpression ?? null,
    collation: spec.collation ?? null,
  });
}

/** The options outside the signature; differing ones on the same index are a conflict. */
function optionsKey(spec: Doc): string {
  return canonicalKey({ expireAfterSeconds: spec.expireAfterSeconds ?? null, hidden: spec.hidden === true });
}

/** Normalises a requested index spec into the stored/listed form. */
function normaliseSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw)) throw new CommandError(Codes.TypeMismatch, 'Each index specification must be an object');
  validateKeyPattern(raw.key);
  if (typeof raw.name !== 'string' || raw.name === '')
    throw new CommandError(Codes.CannotCreateIndex, 'The index name must be a non-empty string');
  if (raw.collation !== undefined && !(isPlainObject(raw.collation) && raw.collation.locale === 'simple')) {
    throw new CommandError(
      Codes.CannotCreateIndex,
      'Index collations are not supported by the embedded server (only the simple binary collation).',
    );
  }
  if (raw.partialFilterExpression !== undefined) {
    if (!isPlainObject(raw.partialFilterExpression))
      throw new CommandError(Codes.TypeMismatch, 'partialFilterExpression must be an object');
    try {
      new Query(raw.partialFilterExpression, {});
    } catch (e) {
      throw new CommandError(Codes.BadValue, e instanceof Error ? e.message : String(e));
    }
  }
  const spec: IndexSpec = { v: 2, key: raw.key, name: raw.name };
  if (raw.unique === true) spec.unique = true;
  if (raw.sparse === true) spec.sparse = true;
  if (raw.partialFilterExpression !== undefined) spec.partialFilterExpression = raw.partialFilterExpression as Doc;
  if (raw.expireAfterSeconds !== undefined) spec.expireAfterSeconds = Number(raw.expireAfterSeconds);
  for (const k of ['hidden', 'weights', 'default_language', 'storageEngine']) if (raw[k] !== undefined) spec[k] = raw[k];
  return spec;
}

export const catalogCommands: Record<string, Handler> = {
  create: (ctx, body) => {
    const name = collName(body, 'create');
    if (body.viewOn !== undefined || body.pipeline !== undefined) return createView(ctx, name, body);
    for (const opt of UNSUPPORTED_CREATE_OPTIONS) {
      if (body[opt] !== undefined && body[opt] !== false) {
        throw new CommandError(Codes.CommandNotSupported, `The embedded server does not support the create option '${opt}'.`);
      }
    }
    ctx.engine.db(ctx.dbName).create(name, parseValidationOptions(body, 'create'));
    return {};
  },

  collMod: (ctx, body) => collMod(ctx, body),

  drop: (ctx, body) => {
    const name = collName(body, 'drop');
    const db = ctx.engine.peek(ctx.dbName);
    const coll = db?.get(name);
    if (!db || !coll) return {};
    if (viewOf(coll)) {
      db.drop(name);
      return { ns: coll.ns };
    }
    const nIndexesWas = coll.indexes.size;
    ctx.cursors.killNamespace(coll.ns);
    db.drop(name);
    return { nIndexesWas, ns: coll.ns };
  },

  listCollections: (ctx, body) => {
    const filter = optDoc(body, 'filter');
    const db = ctx.engine.peek(ctx.dbName);
    let entries: Doc[] = [];
    for (const c of db?.collections.values() ?? []) {
      const view = viewOf(c);
      if (view) {
        entries.push(viewEntry(c, view));
        continue;
      }
      entries.push({
        name: c.name,
        type: 'collection',
        options: { ...c.options },
        info: { readOnly: false, uuid: c.uuid },
        idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
      });
    }
    if (filter && Object.keys(filter).length) {
      let q: Query;
      try {
        q = new Query(filter, {});
      } catch (e) {
        throw new CommandError(Codes.BadValue, e instanceof Error ? e.message : String(e));
      }
      entries = entries.filter((e) => q.test(e));
    }
    if (body.nameOnly === true) entries = entries.map((e) => ({ name: e.name, type: e.type }));
    const cursorOpts = optDoc(body, 'cursor');
    const batchSize = cursorOpts?.batchSize !== undefined ? Number(cursorOpts.batchSize) : undefined;
    return { cursor: ctx.cursors.open(`${ctx.dbName}.$cmd.listCollections`, entries, { batchSize: batchSize ?? Infinity }) };
  },

  createIndexes: (ctx, body) => {
    const name = collName(body, 'createIndexes');
    const raw = body.indexes;
    if (!Array.isArray(raw) || raw.length === 0) throw new CommandError(Codes.BadValue, 'Must specify at least one index to create');
    const specs = raw.map(normaliseSpec);
    const db = ctx.engine.db(ctx.dbName);
    const existed = db.get(name);
    const coll = existed ?? db.create(name);
    const before = coll.indexes.size;
    const toBuild: IndexSpec[] = [];
    for (const spec of specs) {
      const sameNameSpec = coll.indexes.get(spec.name)?.spec ?? toBuild.find((s) => s.name === spec.name);
      if (sameNameSpec) {
        if (signatureKey(sameNameSpec) !== signatureKey(spec)) {
          throw new CommandError(
            Codes.IndexKeySpecsConflict,
            'An existing index has the same name as the requested index. ' +
              'When index names are not specified, they are auto generated and can cause ' +
              `conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, ` +
              `existing index: ${JSON.stringify(sameNameSpec)}`,
          );
        }
        if (optionsKey(sameNameSpec) !== optionsKey(spec)) {
          throw new CommandError(
            Codes.IndexOptionsConflict,
            `An equivalent index already exists with the same name but different options. Requested ` +
              `index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameNameSpec)}`,
          );
        }
        continue;
      }
      const sameSignature = [...[...coll.indexes.values()].map((i) => i.spec), ...toBuild].find(
        (o) => signatureKey(o) === signatureKey(spec),
      );
      if (sameSignature) {
        throw new CommandError(Codes.IndexOptionsConflict, `Index already exists with a different name: ${sameSignature.name}`);
      }
      toBuild.push(spec);
    }
    // Build all requested indexes or none: a failure (e.g. duplicates under a new unique index)
    // removes the ones built by this command.
    const built: string[] = [];
    try {
      for (const spec of toBuild) {
        coll.addIndex(spec);
        built.push(spec.name);
      }
    } catch (e) {
      for (const n of built) coll.dropIndex(n);
      if (!existed && built.length === 0 && coll.size === 0) db.drop(name);
      throw e;
    }
    const reply: Doc = { numIndexesBefore: before, numIndexesAfter: coll.indexes.size, createdCollectionAutomatically: !existed };
    if (toBuild.length === 0) reply.note = 'all indexes already exist';
    return reply;
  },

  listIndexes: (ctx, body) => {
    const name = collName(body, 'listIndexes');
    const coll = requireCollection(ctx, name);
    const specs = [...coll.indexes.values()].map((i) => ({ ...i.spec }));
    return { cursor: ctx.cursors.open(coll.ns, specs, { batchSize: Infinity }) };
  },

  dropIndexes: (ctx, body) => {
    const name = collName(body, 'dropIndexes');
    const coll = ctx.engine.peek(ctx.dbName)?.get(name);
    if (!coll) throw new CommandError(Codes.NamespaceNotFound, `ns not found ${ctx.dbName}.${name}`);
    const nIndexesWas = coll.indexes.size;
    const which = body.index;
    const names: string[] = [];
    if (which === '*') {
      for (const n of coll.indexes.keys()) if (n !== '_id_') names.push(n);
    } else if (typeof which === 'string') {
      names.push(which);
    } else if (Array.isArray(which)) {
      for (const n of which) names.push(String(n));
    } else if (isPlainObject(which)) {
      const key = canonicalKey(which);
      const found = [...coll.indexes.values()].filter((i) => canonicalKey(i.spec.key) === key);
      if (found.length === 0) throw new CommandError(Codes.IndexNotFound, `can't find index with key: ${JSON.stringify(which)}`);
      if (found.length > 1)
        throw new CommandError(
          Codes.IndexNotFound,
          `${found.length} indexes found for key: ${JSON.stringify(which)}, identify by name instead.`,
        );
      names.push(found[0].name);
    } else {
      throw new CommandError(Codes.TypeMismatch, "BSON field 'dropIndexes.index' is missing or of the wrong type");
    }
    for (const n of names) {
      if (n === '_id_') throw new CommandError(Codes.InvalidOptions, 'cannot drop _id index');
      if (!coll.indexes.has(n)) throw new CommandError(Codes.IndexNotFound, `index not found with name [${n}]`);
    }
    for (const n of names) coll.dropIndex(n);
    return { nIndexesWas };
  },

  deleteIndexes: (ctx, body) => catalogCommands.dropIndexes(ctx, { ...body, dropIndexes: body.deleteIndexes }),

  renameCollection: (ctx, body) => {
    if (ctx.dbName !== 'admin') throw new CommandError(Codes.Unauthorized, 'renameCollection may only be run against the admin database.');
    const from = String(body.renameCollection ?? '');
    const to = String(body.to ?? '');
    const [fromDb, ...fromRest] = from.split('.');
    const [toDb, ...toRest] = to.split('.');
    const fromName = fromRest.join('.');
    const toName = toRest.join('.');
    if (!fromDb || !fromName || !toDb || !toName) throw new CommandError(Codes.InvalidNamespace, `Invalid namespace specified '${from}'`);
    const src = ctx.engine.peek(fromDb)?.get(fromName);
    if (!src) throw new CommandError(Codes.NamespaceNotFound, 'Source collection ' + from + ' does not exist');
    if (viewOf(src)) throw new CommandError(Codes.CommandNotSupportedOnView, `cannot rename view: ${from}`);
    const target = ctx.engine.db(toDb);
    if (viewOf(target.get(toName))) throw new CommandError(Codes.NamespaceExists, `a view already exists with that name: ${to}`);
    if (target.get(toName)) {
      if (body.dropTarget !== true) throw new CommandError(Codes.NamespaceExists, 'target namespace exists');
      target.drop(toName);
    }
    ctx.cursors.killNamespace(src.ns);
    ctx.engine.rename(fromDb, fromName, toDb, toName);
    return {};
  },

  collStats: (ctx, body) => {
    const name = collName(body, 'collStats');
    const coll = requireCollection(ctx, name);
    const indexSizes: Doc = {};
    for (const i of coll.indexes.values()) indexSizes[i.name] = i.tree.size * 32;
    return {
      ns: coll.ns,
      count: coll.size,
      size: coll.size * 100,
      avgObjSize: 100,
      storageSize: coll.size * 100,
      nindexes: coll.indexes.size,
      totalIndexSize: 0,
      indexSizes,
    };
  },

  dbStats: (ctx) => {
    const db = ctx.engine.peek(ctx.dbName);
    let objects = 0;
    let indexes = 0;
    let views = 0;
    for (const c of db?.collections.values() ?? []) {
      if (viewOf(c)) {
        views++;
        continue;
      }
      objects += c.size;
      indexes += c.indexes.size;
    }
    const collections = (db?.collections.size ?? 0) - views;
    return { db: ctx.dbName, collections, views, objects, avgObjSize: 0, dataSize: 0, storageSize: 0, indexes, indexSize: 0 };
  },
};
