// First: tracing must start before the modules it instruments are loaded (see tracing.ts).
import './tracing';
import 'reflect-metadata';
import { runService } from '@suite/foundation';
import { AppModule } from './app.module';
import { SERVICE_NAME, loadWebhookConfig } from './config/webhook.config';

void runService(AppModule, loadWebhookConfig, SERVICE_NAME);
