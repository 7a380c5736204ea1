import { Injectable } from '@nestjs/common';
import { TenantModelRegistry, TenantRepository } from '@suite/persistence';
import { SETTINGS_ENTITY, SettingsDocument, StoredSettings } from './settings.schema';

/** `<tenant>_coupon_settings` (coupon §3.7); tenant first (TEN-5). */
@Injectable()
export class SettingsRepository extends TenantRepository<SettingsDocument, StoredSettings> {
  constructor(registry: TenantModelRegistry) {
    super(registry, SETTINGS_ENTITY);
  }

  /** The tenant's settings document, or null. A read: never creates the collection (TEN-6). */
  async find(tenant: string): Promise<StoredSettings | null> {
    const doc = await this.run(() => this.model(tenant).findOne({}).lean<SettingsDocument>().exec());
    return doc ? this.toDomain(doc) : null;
  }

  protected toDomain(doc: SettingsDocument): StoredSettings {
    const { _id, ...settings } = doc;
    return settings;
  }
}
