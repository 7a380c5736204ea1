import { DynamicModule, Global, Module } from '@nestjs/common';
import { LOGGER, ServiceHttpClient } from '@suite/api-kit';
import { ServiceTokenProvider } from '@suite/auth';
import type { Logger } from 'pino';
import { AssignmentsRepository } from '../assignments/assignments.repository';
import { CategoriesRepository } from '../categories/categories.repository';
import { CategoryHierarchyService } from '../categories/category-hierarchy.service';
import { CategoryStateRepository } from '../categories/category-state.repository';
import { HierarchyCache } from '../categories/hierarchy.cache';
import { HierarchyLock } from '../categories/hierarchy-lock';
import { CustomerSegmentClient } from '../clients/customer-segment.client';
import type { CategoryConfig } from '../config/category.config';
import { CategoryEvents } from './category-events';
import { TenantLanguages } from './languages';
import { QuerySettings } from './query-settings';

const providers = [
  CategoriesRepository,
  CategoryStateRepository,
  AssignmentsRepository,
  CategoryHierarchyService,
  HierarchyLock,
  HierarchyCache,
  CategoryEvents,
];

/**
 * What both feature modules share: repositories, the hierarchy lock and snapshot cache, events,
 * tenant languages and the customer-segment client (one `ServiceHttpClient` per upstream and
 * process, S2S-1, with this service's own tokens, S2S-3).
 */
@Global()
@Module({})
export class CategoryCoreModule {
  static forRoot(config: CategoryConfig): DynamicModule {
    return {
      module: CategoryCoreModule,
      providers: [
        ...providers,
        { provide: TenantLanguages, useValue: new TenantLanguages(config.languages, config.tenantLanguages) },
        { provide: QuerySettings, useValue: new QuerySettings(config.queryMaxTimeMS) },
        {
          provide: CustomerSegmentClient,
          useFactory: (tokens: ServiceTokenProvider, logger: Logger) =>
            new CustomerSegmentClient(
              config.customerSegmentUrl
                ? new ServiceHttpClient({
                    service: 'customer-segment',
                    baseUrl: config.customerSegmentUrl,
                    tokenProvider: (t, s) => tokens.getToken(t, s),
                    logger,
                    breaker: { openMs: config.peerBreakerOpenMs },
                  })
                : undefined,
            ),
          inject: [ServiceTokenProvider, LOGGER],
        },
      ],
      exports: [...providers, TenantLanguages, QuerySettings, CustomerSegmentClient],
    };
  }
}
