import { DynamicModule, Module } from '@nestjs/common';
import { ApiKitModule } from '@suite/api-kit';
import { AuthModule } from '@suite/auth';
import { PersistenceModule, translateMongoError } from '@suite/persistence';
import type { Logger } from 'pino';
import { AssignmentsModule } from './assignments/assignments.module';
import { CategoriesModule } from './categories/categories.module';
import { CategoryConfig, DATABASE_NAME, SERVICE_NAME } from './config/category.config';
import { CategoryCoreModule } from './shared/category-core.module';

@Module({})
export class AppModule {
  static forRoot(config: CategoryConfig, logger?: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ApiKitModule.forRoot({ service: SERVICE_NAME, errorProfile: 'category', errorTranslators: [translateMongoError], logger }),
        PersistenceModule.forRoot({ uri: config.mongodbUri, dbName: DATABASE_NAME, serverSelectionTimeoutMS: config.serverSelectionTimeoutMS }),
        AuthModule.forRoot(config.auth),
        CategoryCoreModule.forRoot(config),
        CategoriesModule,
        AssignmentsModule,
      ],
    };
  }
}
