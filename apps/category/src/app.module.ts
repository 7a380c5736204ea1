import { DynamicModule, Module } from '@nestjs/common';
import { ServiceDefinition, serviceModule } from '@suite/foundation';
import type { Logger } from 'pino';
import { AssignmentsModule } from './assignments/assignments.module';
import { CATEGORY_SCOPES } from './category.scopes';
import { CategoriesModule } from './categories/categories.module';
import { CategorySettings } from './common/category-settings';
import { CATEGORY_SERVICE, CategoryConfig, loadCategoryConfig } from './config/category.config';

const DESCRIPTION =
  'Emporix-compatible categories, category trees and product assignments per tenant (contract `shared/spec/category.md`).';

@Module({})
export class AppModule {
  static forRoot(config: CategoryConfig, logger?: Logger): DynamicModule {
    return serviceModule(AppModule, CATEGORY_SERVICE, config, logger, {
      openapi: {
        title: 'Category API',
        description: DESCRIPTION,
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
      global: [{ provide: CategorySettings, useValue: new CategorySettings(config) }],
      imports: [CategoriesModule, AssignmentsModule],
    });
  }
}

/** What runs the category app, in its own process (main.ts) or beside the others (`npm start`, tools/app-host.ts). */
export const SERVICE_DEFINITION: ServiceDefinition<CategoryConfig> = {
  name: CATEGORY_SERVICE.name,
  root: AppModule,
  loadConfig: loadCategoryConfig,
};
