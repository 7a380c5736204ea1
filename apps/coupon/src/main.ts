// First: tracing must start before the modules it instruments are loaded (see tracing.ts).
import './tracing';
import 'reflect-metadata';
import { runService } from '@suite/foundation';
import { SERVICE_DEFINITION } from './app.module';

void runService(SERVICE_DEFINITION);
