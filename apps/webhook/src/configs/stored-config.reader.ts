import { Injectable } from '@nestjs/common';
import { WebhookConfigRepository } from './webhook-config.repository';
import { WebhookConfig, WebhookConfigReader } from './webhook-config.types';

/** The {@link WebhookConfigReader} of the rest of the service: the stored config, secrets included (internal only). */
@Injectable()
export class StoredConfigReader extends WebhookConfigReader {
  constructor(private readonly configs: WebhookConfigRepository) {
    super();
  }

  httpConfig(tenant: string): Promise<WebhookConfig | null> {
    return this.configs.find(tenant, 'http');
  }
}
