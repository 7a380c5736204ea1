// First: tracing must start before the modules it instruments are loaded (see tracing.ts).
import './tracing';
import 'reflect-metadata';
import { runService } from '@suite/foundation';
import { AppModule } from './app.module';
import { SERVICE_NAME, loadCategoryConfig } from './config/category.config';

void runService(AppModule, loadCategoryConfig, SERVICE_NAME);
