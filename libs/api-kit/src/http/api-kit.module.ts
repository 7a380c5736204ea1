import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ObservabilityModule } from '@suite/observability';
import type { Logger } from 'pino';
import { createDocumentationController, OpenApiDocuments } from '../openapi/documentation.controller';
import { OPENAPI_SETTINGS, OpenApiOptions, OpenApiSettings } from '../openapi/openapi-settings';
import { ErrorProfile } from './error-profiles';
import { ApiExceptionFilter, ErrorTranslator } from './exception.filter';
import { HealthController, Lifecycle } from './health.controller';
import { createLogger } from './logger';
import { MetricsController } from './metrics.controller';
import { OutcomeInterceptor, TOTAL_COUNT_HEADERS } from './outcome';
import { TRUSTED_PROXIES } from './proxy-trust';
import { RequestDecodingInterceptor } from './request.interceptor';
import { RequestValidationInterceptor } from './request-validation';
import { SuiteValidationPipe } from './validation.pipe';

export const LOGGER = Symbol.for('suite.logger');
export const SERVICE_NAME = Symbol.for('suite.serviceName');
/** The application's error wire profile (ERR-2), for answers rendered outside the exception filter. */
export const ERROR_PROFILE = Symbol.for('suite.errorProfile');

export interface ApiKitOptions {
  /** `customer-segment`, `coupon` or `category`: used in logs, events and peer calls. */
  service: string;
  errorProfile: ErrorProfile;
  /** Translate foreign errors (e.g. `translateMongoError` of @suite/persistence) to ApiError. */
  errorTranslators?: ErrorTranslator[];
  logger?: Logger;
  /** Response headers that carry a page's total (default `X-Total-Count`; coupon adds `Items-Count`). */
  totalCountHeaders?: string[];
  /** Title, description, version and scope descriptions of the service's OpenAPI document. */
  openapi?: OpenApiOptions;
  /** TRUST_PROXY: peers whose X-Forwarded-For `request.ip` believes (default `loopback`; empty: nobody). */
  trustProxy?: readonly string[];
}

/**
 * Wires the request pipeline every app shares: the one exception filter, the request decoding
 * interceptor (body read after the guards), the request validation interceptor (every input
 * problem in one 400; the tenant's languages come from an optional `TenantLanguages` provider the
 * app makes visible, e.g. from a global module), the outcome interceptor (status, `Location`,
 * counts), the validation pipe, the health endpoints, `GET /metrics` (Prometheus) and the documentation routes
 * (`GET /<service>/openapi.json` and `GET /<service>/docs`, see createDocumentationController).
 */
@Global()
@Module({})
export class ApiKitModule {
  static forRoot(options: ApiKitOptions): DynamicModule {
    const logger = options.logger ?? createLogger(options.service);
    return {
      module: ApiKitModule,
      // Logs, metrics and traces (@suite/observability); `GET /metrics` serves the metrics.
      imports: [ObservabilityModule.forRoot({ logger })],
      controllers: [HealthController, MetricsController, createDocumentationController(options.service)],
      providers: [
        Lifecycle,
        { provide: LOGGER, useValue: logger },
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: ERROR_PROFILE, useValue: options.errorProfile },
        { provide: TRUSTED_PROXIES, useValue: options.trustProxy ?? ['loopback'] },
        {
          provide: OPENAPI_SETTINGS,
          useValue: { ...options.openapi, service: options.service, errorProfile: options.errorProfile } satisfies OpenApiSettings,
        },
        OpenApiDocuments,
        { provide: APP_FILTER, useValue: new ApiExceptionFilter(options.errorProfile, options.errorTranslators ?? [], logger) },
        { provide: TOTAL_COUNT_HEADERS, useValue: options.totalCountHeaders ?? ['X-Total-Count'] },
        { provide: APP_INTERCEPTOR, useClass: RequestDecodingInterceptor },
        // After the decoding: every DTO parameter and the route's rules in one 400 (ERR-6, ERR-10 step 6).
        { provide: APP_INTERCEPTOR, useClass: RequestValidationInterceptor },
        { provide: APP_INTERCEPTOR, useClass: OutcomeInterceptor },
        { provide: APP_PIPE, useClass: SuiteValidationPipe },
      ],
      exports: [LOGGER, SERVICE_NAME, ERROR_PROFILE, TRUSTED_PROXIES, OPENAPI_SETTINGS, OpenApiDocuments, Lifecycle],
    };
  }
}
