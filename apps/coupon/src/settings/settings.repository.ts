import { Injectable } from '@nestjs/common';
import { mapMongoErrors, TenantModelRegistry } from '@suite/persistence';
import { SETTINGS_ENTITY, SettingsDocument } from './settings.schema';

@Injectable()
export class SettingsRepository {
  constructor(private readonly registry: TenantModelRegistry) {}

  /** The tenant's settings document, or null. A read: never creates the collection (TEN-6). */
  find(tenant: string): Promise<SettingsDocument | null> {
    return mapMongoErrors(() => this.registry.model(tenant, SETTINGS_ENTITY).findOne({}).lean<SettingsDocument>().exec());
  }
}
