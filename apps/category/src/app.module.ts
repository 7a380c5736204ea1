import { DynamicModule, Module } from '@nestjs/common';
import { ApiKitModule } from '@suite/api-kit';
import { AuthModule } from '@suite/auth';
import { PersistenceModule, translateMongoError } from '@suite/persistence';
import type { Logger } from 'pino';
import { AssignmentsModule } from './assignments/assignments.module';
import { CATEGORY_SCOPES } from './category.scopes';
import { CategoriesModule } from './categories/categories.module';
import { CommonModule } from './common/common.module';
import { CategoryConfig, DATABASE_NAME, SERVICE_NAME } from './config/category.config';

@Module({})
export class AppModule {
  static forRoot(config: CategoryConfig, logger?: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ApiKitModule.forRoot({
          service: SERVICE_NAME,
          errorProfile: 'category',
          errorTranslators: [translateMongoError],
          logger,
          openapi: {
            title: 'Category API',
            description: 'Emporix-compatible categories, category trees and product assignments per tenant (contract `shared/spec/category.md`).',
            scopes: {
              [CATEGORY_SCOPES.manage]: 'Every write: categories, assignments, tree rebuilds.',
              [CATEGORY_SCOPES.publish]: 'Besides manage, for a write that makes a category published (§3.2).',
              [CATEGORY_SCOPES.unpublish]: 'Besides manage, for a write that unpublishes a category (§3.2).',
              [CATEGORY_SCOPES.readUnpublished]: 'For reads with `showUnpublished=true` (§3.2, §3.3).',
            },
            tags: {
              Categories: 'Categories: flat reads, writes, parents and subcategories (§5).',
              'Category trees': 'Trees derived from the parent links, cached per tenant and epoch (§6).',
              Assignments: 'Product assignments of categories, with segment filtering (§7, §9).',
            },
          },
        }),
        PersistenceModule.forRoot({ uri: config.mongodbUri, dbName: DATABASE_NAME, serverSelectionTimeoutMS: config.serverSelectionTimeoutMS }),
        AuthModule.forRoot(config.auth),
        CommonModule.forRoot(config),
        CategoriesModule,
        AssignmentsModule,
      ],
    };
  }
}
