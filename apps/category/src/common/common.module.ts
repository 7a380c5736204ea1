import { DynamicModule, Global, Module } from '@nestjs/common';
import { TenantLanguages } from '@suite/api-kit';
import type { CategoryConfig } from '../config/category.config';
import { CategorySettings } from './category-settings';

/**
 * App-wide providers from the validated configuration: the tenant languages (LOC-2) and the
 * settings. Events come from `ChangeEvents` (PersistenceModule) and peer clients from
 * `PeerClients` (AuthModule); repositories from each feature's data module.
 */
@Global()
@Module({})
export class CommonModule {
  static forRoot(config: CategoryConfig): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        { provide: TenantLanguages, useValue: TenantLanguages.fromConfig(config) },
        { provide: CategorySettings, useValue: new CategorySettings(config) },
      ],
      exports: [TenantLanguages, CategorySettings],
    };
  }
}
