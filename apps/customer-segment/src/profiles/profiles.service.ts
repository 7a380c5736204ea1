import { Inject, Injectable } from '@nestjs/common';
import { ApiError, BulkItemResult, LOGGER, Outcome, assertBulkArray, isValidCustomId, isPlainObject } from '@suite/api-kit';
import { RequestContext } from '@suite/auth';
import type { EventOrigin } from '@suite/persistence';
import type { Logger } from 'pino';
import { bulkElement, runSegmentBulk } from '../common/bulk';
import { BulkProfileDto, MergeGuestProfileDto, ProfileBodyDto } from './dto/profile-body.dto';
import type { ProfileResponseDto } from './dto/profile.response.dto';
import { RESERVED_PROFILE_IDS } from './dto/profile-params.dto';
import { mergeAttributes, mergeMixins, profileWrite, toProfileView, unknownAttributeDetails } from './profile.mapper';
import { Profile, ProfileKey, ProfileWrite, profileDocId, profilePath } from './profile.types';
import type { ProfileFacts } from '../rules/profile-rule';
import { RuleMembership } from '../rules/rule-membership.service';
import { ProfilesRepository, mergeInProgress } from './profiles.repository';

/** How often a merge starts over when the customer's profile moved under it. */
const MERGE_ATTEMPTS = 4;
/** How often a customer's rule membership is evaluated again while its profile keeps changing under it. */
const EVALUATION_ATTEMPTS = 5;

/**
 * Shopper profiles (README "Shopper profiles", a suite extension): upsert, read, delete, bulk
 * upsert, and the merge of a guest's profile into the customer's when the guest signs in.
 */
@Injectable()
export class ProfilesService {
  constructor(
    private readonly profiles: ProfilesRepository,
    private readonly membership: RuleMembership,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async get(ctx: RequestContext, key: ProfileKey): Promise<ProfileResponseDto> {
    const profile = addressable(key) ? await this.profiles.findOne(ctx.tenant, key) : null;
    if (!profile) throw notFound(key);
    return toProfileView(profile);
  }

  /** PUT: 201 with `Location` when created, 204 when replaced; ids and body passed the pipe. */
  async replace(ctx: RequestContext, key: ProfileKey, body: ProfileBodyDto): Promise<Outcome<never>> {
    const { created, profile } = await this.upsertOne(ctx, key, profileWrite(body));
    await this.evaluate(ctx, key, profile);
    return Outcome.upserted(created, `/customer-segment/${ctx.tenant}${profilePath(key)}`);
  }

  /**
   * Without a version: one upsert. With one: a guarded update and, only when it misses, a read to
   * tell 404-then-create from 409 (META-5.4); a version sent with a create is ignored (META-5.3).
   */
  private async upsertOne(ctx: RequestContext, key: ProfileKey, write: ProfileWrite): Promise<{ created: boolean; profile: Profile }> {
    const tenant = ctx.tenant;
    const now = new Date();
    if (write.expectedVersion === undefined) {
      const { created, value } = await this.profiles.upsert(tenant, key, write, now);
      return { created, profile: value };
    }
    const updated = await this.profiles.updateExisting(tenant, key, write, now, write.expectedVersion);
    if (updated) return { created: false, profile: updated };
    const stored = await this.profiles.findDoc(tenant, key);
    if (stored?.mergingInto !== undefined) throw mergeInProgress(key);
    if (stored) throw ApiError.versionConflict(profileDocId(key), write.expectedVersion, stored.metadata.version);
    try {
      return { created: true, profile: await this.profiles.insert(tenant, key, write, now) };
    } catch (e) {
      if (!(e instanceof ApiError && e.errorCode === 'duplicate_resource')) throw e;
      const raced = await this.profiles.findDoc(tenant, key);
      throw ApiError.versionConflict(profileDocId(key), write.expectedVersion, raced?.metadata.version);
    }
  }

  /** Idempotent: deleted or absent is 204. */
  async delete(ctx: RequestContext, key: ProfileKey): Promise<Outcome<never>> {
    if (addressable(key)) {
      await this.profiles.delete(ctx.tenant, key);
      await this.evaluate(ctx, key);
    }
    return Outcome.noContent();
  }

  /**
   * Brings a customer's rule membership in line with its profile as stored now, before the write's
   * answer (README "Rule-based segments": enter and leave events follow the write). Concurrent
   * writes of one profile cannot leave a stale membership: each evaluation is stamped with the
   * version it read, and one whose profile moved on meanwhile evaluates again. Guests have no
   * materialised membership.
   */
  async evaluate(ctx: EventOrigin, key: ProfileKey, written?: Profile): Promise<void> {
    if (key.kind !== 'customer') return;
    // The profile as the write stored it spares the first read; a later attempt reads what is stored now.
    let known: { facts: ProfileFacts; version: number } | null | undefined = written && {
      facts: { attributes: written.attributes, mixins: written.mixins },
      version: written.metadata.version,
    };
    for (let attempt = 0; attempt < EVALUATION_ATTEMPTS; attempt++) {
      if (known === undefined) {
        const doc = await this.profiles.findDoc(ctx.tenant, key);
        known = doc && { facts: { attributes: doc.attributes ?? {}, mixins: doc.mixins }, version: doc.metadata.version };
      }
      if (!(await this.membership.reconcile(ctx, key.customerId, key.legalEntityId, known ? known.facts : null))) {
        // A tenant without rules evaluates nothing: its (empty) rule membership is in line with any version.
        if (known) await this.profiles.markEvaluated(ctx.tenant, key, known.version);
        return;
      }
      if (known ? await this.profiles.markEvaluated(ctx.tenant, key, known.version) : !(await this.profiles.findDoc(ctx.tenant, key)))
        return;
      known = undefined;
    }
    this.logger.warn(
      { tenant: ctx.tenant, profile: profileDocId(key) },
      'profile kept changing during its rule evaluation; the next write evaluates it again',
    );
  }

  /** `PUT /profiles/bulk`: up to 200 elements, one result per element in request order (207, BULK-3). */
  async bulkUpsert(ctx: RequestContext, body: unknown): Promise<Outcome<BulkItemResult[]>> {
    const items = assertBulkArray(body);
    const results = await runSegmentBulk(
      items,
      async (item) => {
        const { key, write } = parseBulkElement(item);
        const { created, profile } = await this.upsertOne(ctx, key, write);
        await this.evaluate(ctx, key, profile);
        return { code: created ? 201 : 204 };
      },
      { logger: this.logger },
    );
    return Outcome.multiStatus(results);
  }

  /**
   * `POST /guest-profiles/{sessionId}/merge`: the guest's profile goes into the customer's (created
   * when the customer has none) and the guest's is deleted. Three guarded steps, no transaction:
   * the guest is marked (its writes are refused from then on), the customer's profile written with
   * the guest's session remembered (a replay is not applied twice), the marked guest deleted. A
   * merge interrupted after the mark is finished by repeating it for the same customer.
   */
  async merge(ctx: RequestContext, sessionId: string, body: MergeGuestProfileDto): Promise<ProfileResponseDto> {
    const tenant = ctx.tenant;
    const guestKey: ProfileKey = { kind: 'guest', sessionId };
    const target: ProfileKey = { kind: 'customer', customerId: body.customerId, legalEntityId: body.legalEntityId ?? null };
    const targetId = profileDocId(target);
    let guest = await this.profiles.findDoc(tenant, guestKey);
    if (!guest) throw notFound(guestKey);
    if (guest.mergingInto !== undefined && guest.mergingInto !== targetId) {
      throw new ApiError('version_conflict', 'The guest profile is being merged into another customer profile.', {
        resourceId: profileDocId(guestKey),
      });
    }
    if (guest.mergingInto === undefined) {
      guest = await this.profiles.markMerging(tenant, sessionId, guest.metadata.version, targetId);
      // The guest changed or went between the read and the mark: the client may simply repeat the merge.
      if (!guest)
        throw new ApiError('version_conflict', 'The guest profile changed during the merge; repeat it.', {
          resourceId: profileDocId(guestKey),
        });
    }
    const guestProfile = { attributes: guest.attributes ?? {}, mixins: guest.mixins ?? undefined };
    for (let attempt = 0; attempt < MERGE_ATTEMPTS; attempt++) {
      const now = new Date();
      const customer = await this.profiles.findDoc(tenant, target);
      let merged: Profile | null;
      if (!customer) {
        const write: ProfileWrite = { attributes: guestProfile.attributes, mixins: guestProfile.mixins };
        merged = await this.profiles.insert(tenant, target, write, now, sessionId).catch((e: unknown) => {
          if (e instanceof ApiError && e.errorCode === 'duplicate_resource') return null; // created meanwhile: merge into it
          throw e;
        });
      } else if (customer.mergedGuests?.includes(sessionId)) {
        merged = await this.profiles.findOne(tenant, target); // merged before an interruption: only the deletion is left
      } else {
        const write: ProfileWrite = {
          attributes: mergeAttributes(customer.attributes ?? {}, guestProfile.attributes),
          mixins: mergeMixins(customer.mixins ?? undefined, guestProfile.mixins),
          metadataMixins: customer.metadata.mixins,
        };
        merged = await this.profiles.applyMerge(tenant, target, customer.metadata.version, sessionId, write, now);
      }
      if (merged) {
        await this.profiles.finishMerge(tenant, sessionId, targetId);
        await this.evaluate(ctx, target);
        return toProfileView(merged);
      }
    }
    throw new ApiError('version_conflict', 'The customer profile kept changing during the merge; repeat it.', { resourceId: targetId });
  }
}

function addressable(key: ProfileKey): boolean {
  if (key.kind === 'guest') return isValidCustomId(key.sessionId);
  return isValidCustomId(key.customerId) && (key.legalEntityId === null || isValidCustomId(key.legalEntityId));
}

function notFound(key: ProfileKey): ApiError {
  return ApiError.notFound(profileDocId(key), key.kind === 'guest' ? 'Guest profile not found.' : 'Profile not found.');
}

/** A bulk element, judged like a single body (BULK-3) plus its identity: a customer or a guest, not both. */
export function parseBulkElement(item: unknown): { key: ProfileKey; write: ProfileWrite } {
  const unknown = unknownAttributeDetails(item);
  if (unknown.length) throw ApiError.validation(unknown);
  const value = bulkElement(BulkProfileDto, item);
  if (value.sessionId !== undefined) {
    if (value.customerId !== undefined || value.legalEntityId !== undefined) {
      throw ApiError.validation([
        { field: 'sessionId', type: 'invalid_value', message: 'an element names a customer or a guest (sessionId), not both' },
      ]);
    }
    return { key: { kind: 'guest', sessionId: value.sessionId }, write: profileWrite(value) };
  }
  if (value.customerId === undefined) {
    throw ApiError.validation([
      { field: 'customerId', type: 'missing_value', message: 'customerId (or sessionId for a guest) is required' },
    ]);
  }
  if (value.legalEntityId === undefined && RESERVED_PROFILE_IDS.includes(value.customerId)) {
    throw ApiError.validation([{ field: 'customerId', type: 'invalid_value', message: `customerId '${value.customerId}' is reserved` }]);
  }
  return {
    key: { kind: 'customer', customerId: value.customerId, legalEntityId: value.legalEntityId ?? null },
    write: profileWrite(value),
  };
}

/** The request rule of the single writes: attributes the contract does not know are a 400 (see {@link unknownAttributeDetails}). */
export function profileBodyCheck(input: { body: unknown }) {
  return isPlainObject(input.body) ? unknownAttributeDetails(input.body) : [];
}
