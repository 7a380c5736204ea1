import 'reflect-metadata';
import { runService } from '@suite/foundation';
import { AppModule } from './app.module';
import { SERVICE_NAME, loadCategoryConfig } from './config/category.config';

void runService(AppModule, loadCategoryConfig, SERVICE_NAME);
