import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';

/** `<tenant>_coupon_settings` (coupon §3.7): one document, seeded by deployment tooling; no endpoint writes it. */
export interface SettingsDocument {
  _id: string;
  enableCouponCodeCaseSensitivity?: boolean;
  couponPermanentDelete?: boolean;
  referral?: { codePrefix?: string; amount?: number; currency?: string };
}

/** The settings document as stored, without Mongo's key. */
export type StoredSettings = Omit<SettingsDocument, '_id'>;

const settingsSchema = new Schema<SettingsDocument>(
  {
    _id: String,
    enableCouponCodeCaseSensitivity: Boolean,
    couponPermanentDelete: Boolean,
    referral: { type: Schema.Types.Mixed },
  },
  { versionKey: false },
);

export const SETTINGS_ENTITY = defineEntity<SettingsDocument>('coupon_settings', settingsSchema);
