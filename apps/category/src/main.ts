import 'reflect-metadata';
import { createLogger, startService } from '@suite/api-kit';
import { AppModule } from './app.module';
import { SERVICE_NAME, loadCategoryConfig } from './config/category.config';

const config = loadCategoryConfig();
const logger = createLogger(SERVICE_NAME, config.logLevel);
void startService(AppModule.forRoot(config, logger), {
  service: SERVICE_NAME,
  logger,
  port: config.port,
  host: config.host,
  corsOrigins: config.corsOrigins,
});
