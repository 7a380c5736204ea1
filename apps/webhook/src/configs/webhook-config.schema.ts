import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { WebhookConfig } from './webhook-config.types';

/** A stored config: keyed by its code (`http`, the only one), so a second config of a code is a duplicate key. */
export interface WebhookConfigDocument extends Omit<WebhookConfig, 'code'> {
  _id: WebhookConfig['code'];
}

const webhookConfigSchema = new Schema<WebhookConfigDocument>(
  {
    _id: String,
    provider: String,
    active: Boolean,
    // Written and read through the driver as it is: header names are map keys, `excludedFields`
    // keeps the difference between null (inherit) and absent.
    configuration: Schema.Types.Mixed,
    metadata: { version: Number, createdAt: Date, modifiedAt: Date },
  },
  { versionKey: false },
);

/** `<tenant>_webhook_configs`: at most one document per code (README "Configs"). */
export const WEBHOOK_CONFIG_ENTITY = defineEntity<WebhookConfigDocument>('webhook_configs', webhookConfigSchema);
