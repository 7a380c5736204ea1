import { StoredMetadata } from '@suite/api-kit';
import {
  EntityDefinition,
  RepositoryFilter,
  TenantModelRegistry,
  TenantRepository,
  VersionedUpdate,
  insertNew,
  takeBatch,
  updateVersioned,
  upsertVersioned,
  versionedUpdate,
} from '@suite/persistence';
import { AssignmentWrite, UpsertOutcome } from './assignment.types';
import { PageRequest } from './list-page';

/** The stored part every assignment document has. */
interface AssignmentDocumentBase {
  segmentId: string;
  mixins?: Record<string, unknown>;
  metadata: StoredMetadata;
}

/**
 * The assignments of segments (customers, items) of one tenant. Each kind has an identity `K`
 * under a unique index; every write is one guarded single-document command (EVT-4: no
 * transactions) and the unique index settles concurrent creations. A subclass says how its
 * identity filters, what an upsert sets and what a new document holds.
 */
export abstract class SegmentAssignmentsRepository<
  D extends AssignmentDocumentBase,
  E,
  K,
  W extends AssignmentWrite,
> extends TenantRepository<D, E> {
  protected constructor(
    registry: TenantModelRegistry,
    entity: EntityDefinition<D>,
    /** The `409 duplicate_resource` message of a create that lost to a twin. */
    private readonly duplicateMessage: string,
  ) {
    super(registry, entity);
  }

  /** The filter of one identity. */
  protected abstract keyFilter(key: K): RepositoryFilter;
  /** A new assignment at version 1, before the mixins and schema links of the write. */
  protected abstract baseDocument(key: K, write: W, now: Date): D;

  /** What an upsert replaces besides the mixins and schema links (nothing by default). */
  protected upsertFields(_write: W): Array<readonly [path: string, value: unknown]> {
    return [];
  }

  /** What an upsert that creates sets besides `metadata.createdAt` (nothing by default). */
  protected insertDefaults(): Record<string, unknown> {
    return {};
  }

  /** The update of a PUT-style write: mixins and schema links replaced in full (META-10), version +1 (META-2). */
  protected upsertUpdate(write: W, now: Date): VersionedUpdate {
    const fields = [['mixins', write.mixins], ['metadata.mixins', write.metadataMixins], ...this.upsertFields(write)] as const;
    return versionedUpdate(fields, now, this.insertDefaults());
  }

  /** A new assignment at version 1 with the mixins and schema links of the write. */
  protected newDocument(key: K, write: W, now: Date): D {
    const doc = this.baseDocument(key, write, now);
    if (write.mixins !== undefined) doc.mixins = write.mixins;
    if (write.metadataMixins !== undefined) doc.metadata.mixins = write.metadataMixins;
    return doc;
  }

  findOne(tenant: string, key: K): Promise<E | null> {
    return this.findOneDoc(tenant, this.keyFilter(key));
  }

  page(tenant: string, request: PageRequest): Promise<{ items: E[]; total?: number }> {
    return this.findPageOf(tenant, request);
  }

  /** Creates or updates without a version precondition in one command (a concurrent twin becomes an update). */
  async upsert(tenant: string, key: K, write: W, now: Date): Promise<UpsertOutcome<E>> {
    const { created, doc } = await upsertVersioned(await this.modelForWrite(tenant), this.keyFilter(key), this.upsertUpdate(write, now));
    return { created, value: this.toDomain(doc) };
  }

  /**
   * Updates an existing assignment, guarded by `expectedVersion` when given (META-5.4). Null when
   * nothing matched: absent, or the version moved (the caller reads to tell which).
   */
  async updateExisting(tenant: string, key: K, write: W, now: Date, expectedVersion?: number): Promise<E | null> {
    const filter = this.keyFilter(key);
    const doc = await updateVersioned(await this.modelForWrite(tenant), filter, this.upsertUpdate(write, now), expectedVersion);
    return doc ? this.toDomain(doc) : null;
  }

  /** Inserts a new assignment at version 1; a concurrent twin is `409 duplicate_resource`. */
  async insert(tenant: string, key: K, write: W, now: Date): Promise<E> {
    const doc = this.newDocument(key, write, now);
    await insertNew(await this.modelForWrite(tenant), doc, this.duplicateMessage);
    return this.toDomain(doc);
  }

  /** Deletes one assignment; returns it (for its event) or null when there was none. */
  async delete(tenant: string, key: K): Promise<E | null> {
    const doc = await this.run(() =>
      this.collection(tenant).findOneAndDelete(this.driverFilter(this.keyFilter(key)), { includeResultMetadata: false }),
    );
    return doc ? this.toDomain(doc as D) : null;
  }

  async anyInSegment(tenant: string, segmentId: string): Promise<boolean> {
    const doc = await this.run(() => this.collection(tenant).findOne(this.driverFilter({ segmentId }), { projection: { _id: 1 } }));
    return doc !== null;
  }

  /** Cascade step (segment §5): deletes up to `limit` assignments of a segment and returns them. */
  async deleteBatchOfSegment(tenant: string, segmentId: string, limit = 1000): Promise<E[]> {
    return (await takeBatch(this.model(tenant), { segmentId }, limit)).map((doc) => this.toDomain(doc));
  }
}
