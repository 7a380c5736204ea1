import { AppModule } from '../src/app.module';
import { loadWebhookConfig } from '../src/config/webhook.config';
import { bearer, ServiceHarness, startServiceHarness, TestDatabase, TokenRequest } from '@suite/testing';

/** The webhook service's scopes, for tokens in the specs. */
export const MANAGE = 'webhook.subscription_manage';
export const READ = 'webhook.subscription_read';
export const PUBLISH = 'webhook.event_publish';

/**
 * The webhook app over real HTTP on its own embedded database. Receivers on loopback are allowed
 * (WEBHOOK_ALLOWED_DESTINATIONS=loopback) unless `env` says otherwise; the peer stub is unused (the
 * service calls no peer) but keeps the harness's shape.
 */
export function startWebhookApp(options: { env?: Record<string, string>; database?: TestDatabase } = {}): Promise<ServiceHarness> {
  return startServiceHarness({
    service: 'webhook',
    peerUrlEnv: 'WEBHOOK_UNUSED_PEER_URL',
    build: (env, logger) => AppModule.forRoot(loadWebhookConfig(env), logger),
    env: { WEBHOOK_ALLOWED_DESTINATIONS: 'loopback', ...options.env },
    database: options.database,
  });
}

/** A token of `tenant` holding `scopes` (an employee unless said otherwise). */
export function as(tenant: string, scopes: string[], extra: Partial<TokenRequest> = {}): Promise<Record<string, string>> {
  return bearer({ tenant, scopes, ...extra } as TokenRequest);
}

/** A service token of one of the three publishing services. */
export function asService(tenant: string, clientId: string, scopes: string[] = [PUBLISH]): Promise<Record<string, string>> {
  return bearer({ tenant, scopes, principalType: 'service', sub: clientId, clientId } as TokenRequest);
}
