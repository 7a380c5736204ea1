import { Injectable } from '@nestjs/common';
import { insertNew, TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { WEBHOOK_CONFIG_ENTITY, WebhookConfigDocument } from './webhook-config.schema';
import type { WebhookConfig } from './webhook-config.types';

/**
 * `<tenant>_webhook_configs`; tenant first (TEN-5). Every change is one single-document write
 * guarded by the version that was read, so two concurrent writers can never both win (META-5).
 */
@Injectable()
export class WebhookConfigRepository extends TenantRepository<WebhookConfigDocument, WebhookConfig> {
  constructor(registry: TenantModelRegistry) {
    super(registry, WEBHOOK_CONFIG_ENTITY);
  }

  find(tenant: string, code: WebhookConfig['code'] = 'http'): Promise<WebhookConfig | null> {
    return this.findOneDoc(tenant, { _id: code });
  }

  /** A new config; `409 duplicate_resource` when the tenant already has one of its code. */
  async insert(tenant: string, config: WebhookConfig): Promise<void> {
    const model = await this.modelForWrite(tenant);
    await this.run(() =>
      insertNew(model, toDocument(config), `The tenant already has a webhook config of code ${config.code}; update or delete it instead.`),
    );
  }

  /** Replaces the config when its stored version is still `expectedVersion`; false when it moved or is gone. */
  async replace(tenant: string, config: WebhookConfig, expectedVersion: number): Promise<boolean> {
    await this.modelForWrite(tenant);
    const result = await this.run(() =>
      this.collection(tenant).replaceOne(this.driverFilter({ _id: config.code, 'metadata.version': expectedVersion }), toDocument(config)),
    );
    return result.matchedCount === 1;
  }

  /**
   * Deletes the config; unless `force`, only while it is inactive (the condition is part of the
   * delete, so a config activated meanwhile is not deleted). True when a document was removed.
   */
  async delete(tenant: string, code: WebhookConfig['code'], force: boolean): Promise<boolean> {
    const result = await this.run(() =>
      this.collection(tenant).deleteOne(this.driverFilter(force ? { _id: code } : { _id: code, active: false })),
    );
    return result.deletedCount === 1;
  }

  protected toDomain(doc: WebhookConfigDocument): WebhookConfig {
    const { _id, provider, active, configuration, metadata } = doc;
    return {
      code: _id,
      provider,
      active,
      configuration: { ...configuration, eventsConfiguration: configuration?.eventsConfiguration ?? [] },
      metadata,
    };
  }
}

/** The stored form: no `undefined` anywhere (the driver would store it as null), `null` kept where it means something. */
function toDocument(config: WebhookConfig): WebhookConfigDocument {
  const { code, ...rest } = config;
  return withoutUndefined({ _id: code, ...rest }) as WebhookConfigDocument;
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out;
}
