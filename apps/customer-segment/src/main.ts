// First: tracing must start before the modules it instruments are loaded (see tracing.ts).
import './tracing';
import 'reflect-metadata';
import { runService } from '@suite/foundation';
import { AppModule } from './app.module';
import { SERVICE_NAME, loadCustomerSegmentConfig } from './config/customer-segment.config';

void runService(AppModule, loadCustomerSegmentConfig, SERVICE_NAME);
