import { Injectable } from '@nestjs/common';
import { ApiError, ErrorDetail, newMetadata, Outcome, withVersionRetry } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { configurationProblems, destinationsOf, replaceConfiguration, uuids } from './config-entries';
import { configNotFound } from './config-errors';
import { parsePatch } from './config-patch';
import { applyPatch } from './config-patch-apply';
import { DestinationCache, DestinationChecker } from './destination-checker';
import type { ConfigResponseDto, CreatedConfigResponseDto } from './dto/config.response.dto';
import type { CreateConfigDto, ReplaceConfigDto } from './dto/write-config.dto';
import { WebhookConfigRepository } from './webhook-config.repository';
import { toConfigView } from './webhook-config.mapper';
import type { HttpConfiguration, WebhookConfig } from './webhook-config.types';

/** The only config code of this suite (README "Configs"). */
const HTTP = 'http';

type ConfigChange = Pick<WebhookConfig, 'active' | 'configuration'>;

/**
 * The webhook config of a tenant (README "Configs"): Emporix's Config API for the `http` strategy.
 * Every write is judged as a whole on the state it leaves (ids, destinations, the active config's
 * coverage) and stored in one single-document write guarded by the version it read.
 */
@Injectable()
export class ConfigsService {
  constructor(
    private readonly configs: WebhookConfigRepository,
    private readonly destinations: DestinationChecker,
  ) {}

  /** `409` when the tenant has an `http` config already; `400` for what the body alone could not show (destinations, coverage). */
  async create(ctx: RequestContext, body: CreateConfigDto): Promise<Outcome<CreatedConfigResponseDto>> {
    const { tenant } = ctx;
    if (await this.configs.find(tenant)) throw duplicateConfig();
    const active = body.active ?? true;
    const { configuration } = replaceConfiguration(undefined, body.configuration, 'configuration', uuids);
    await this.assertWritable(active, configuration, destinationsOf(configuration), new Set());
    const config: WebhookConfig = { code: HTTP, provider: 'HTTP', active, configuration, metadata: newMetadata(new Date()) };
    await this.configs.insert(tenant, config);
    return Outcome.created(`/webhook/${tenant}/config/${HTTP}`, { code: HTTP });
  }

  /** At most one element: the `http` config. */
  async list(ctx: RequestContext): Promise<ConfigResponseDto[]> {
    const config = await this.configs.find(ctx.tenant);
    return config ? [toConfigView(config)] : [];
  }

  async get(ctx: RequestContext, code: string): Promise<ConfigResponseDto> {
    const config = code === HTTP ? await this.configs.find(ctx.tenant) : null;
    if (!config) throw configNotFound(code);
    return toConfigView(config);
  }

  /**
   * A replacement (Emporix PUT): what the body leaves out is gone, except the secrets, which reads
   * never show and a body without them therefore keeps (README "Secrets"). Entry ids follow
   * README "Entry ids". `metadata.version`, when sent, must be the stored one.
   */
  async replace(ctx: RequestContext, code: string, body: ReplaceConfigDto): Promise<Outcome<never>> {
    if (code !== HTTP) throw configNotFound(code);
    const cache: DestinationCache = new Map();
    await this.rewrite(ctx.tenant, body.metadata?.version, async (stored) => {
      const active = body.active ?? true;
      const { configuration, problems } = replaceConfiguration(stored.configuration, body.configuration, 'configuration', uuids);
      await this.assertWritable(
        active,
        configuration,
        destinationsOf(configuration),
        destinationSet(stored.configuration),
        problems,
        cache,
      );
      return { active, configuration };
    });
    return Outcome.noContent();
  }

  /** Emporix's partial update: every operation applies, in one write, or none does (README "PATCH"). */
  async patch(ctx: RequestContext, code: string, body: unknown): Promise<Outcome<never>> {
    if (code !== HTTP) throw configNotFound(code);
    // The validation step has judged the body already (patchConfigRule); this only reads it.
    const { operations, problems } = parsePatch(body);
    if (problems.length) throw ApiError.validation(problems);
    const cache: DestinationCache = new Map();
    await this.rewrite(ctx.tenant, undefined, async (stored) => {
      const result = applyPatch({ active: stored.active, configuration: stored.configuration }, operations, uuids);
      if (result.problems.length) throw ApiError.validation(result.problems);
      if (result.conflicts.length) {
        throw new ApiError('duplicate_resource', 'A path by event type matches several eventsConfiguration entries; address them by id.', {
          resourceId: HTTP,
          details: result.conflicts,
        });
      }
      const { active, configuration } = result.state;
      await this.assertWritable(active, configuration, result.written, destinationSet(stored.configuration), [], cache);
      return result.state;
    });
    return Outcome.noContent();
  }

  /**
   * Idempotent: a config that is not there (or a code that never exists here) is `204` too. An
   * active config is deleted only with `force=true`; otherwise `400 business_rule_violation`.
   */
  async delete(ctx: RequestContext, code: string, force: boolean): Promise<Outcome<never>> {
    const { tenant } = ctx;
    if (code !== HTTP || (await this.configs.delete(tenant, HTTP, force))) return Outcome.noContent();
    const stored = await this.configs.find(tenant);
    if (stored?.active) {
      throw ApiError.businessRule('The webhook config is active: deactivate it first, or delete it with force=true.', [
        { field: 'force', type: 'invalid_value', message: 'deleting an active config needs force=true' },
      ]);
    }
    // Deactivated meanwhile: the inactive delete applies now.
    if (stored) await this.configs.delete(tenant, HTTP, false);
    return Outcome.noContent();
  }

  /**
   * One read-modify-write: `change` computes the new state from the stored one (or throws its
   * 4xx), and the write is guarded by the version read. A client version is checked first and a
   * miss is then `409`; without one, a write that lost a race is computed again from the newer
   * state (up to 4 tries) so concurrent PATCHes never lose an update.
   */
  private async rewrite(tenant: string, clientVersion: number | undefined, change: (stored: WebhookConfig) => Promise<ConfigChange>) {
    let seen: number | undefined;
    await withVersionRetry(
      clientVersion,
      async () => {
        const stored = await this.configs.find(tenant);
        if (!stored) throw configNotFound(HTTP);
        seen = stored.metadata.version;
        if (clientVersion !== undefined && seen !== clientVersion) throw ApiError.versionConflict(HTTP, clientVersion, seen);
        const next = await change(stored);
        const metadata = { version: seen + 1, createdAt: stored.metadata.createdAt, modifiedAt: new Date() };
        return this.configs.replace(tenant, { ...stored, ...next, metadata }, seen);
      },
      async () => {
        const latest = await this.configs.find(tenant);
        if (!latest) throw configNotFound(HTTP);
        throw ApiError.versionConflict(HTTP, clientVersion ?? seen ?? 0, latest.metadata.version);
      },
    );
  }

  /** Every problem of the state a write leaves, in one `400` (ERR-6): given ones, coverage, and the destinations it sets. */
  private async assertWritable(
    active: boolean,
    configuration: HttpConfiguration,
    written: ReturnType<typeof destinationsOf>,
    stored: ReadonlySet<string>,
    given: ErrorDetail[] = [],
    cache?: DestinationCache,
  ): Promise<void> {
    const problems = [
      ...given,
      ...configurationProblems(active, configuration),
      ...(await this.destinations.problems(written, stored, cache)),
    ];
    if (problems.length) throw ApiError.validation(problems);
  }
}

function destinationSet(c: HttpConfiguration): Set<string> {
  return new Set(destinationsOf(c).map((d) => d.url));
}

function duplicateConfig(): ApiError {
  return ApiError.duplicate(HTTP, `The tenant already has a webhook config of code ${HTTP}; update or delete it instead.`);
}
