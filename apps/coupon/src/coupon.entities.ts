import { StorageDeclaration, WINDOW_COUNTER_INDEXES } from '@suite/persistence';
import { CAMPAIGN_ENTITY } from './campaigns/campaign.schema';
import { SETTINGS_ENTITY } from './common/settings.schema';
import { DATABASE_NAME, SERVICE_NAME } from './config/coupon.config';
import { COUPON_ENTITY } from './coupons/coupon.schema';
import { USAGE_ENTITY } from './redemptions/customer-usage.schema';
import { REDEMPTION_ENTITY } from './redemptions/redemption.schema';
import { RESERVATION_ENTITY } from './reservations/reservation.schema';

/** The shared collection of the coupon-code guessing counters (README "Coupon code guessing"). */
export const CODE_GUESS_COLLECTION = 'codeguesses';

/**
 * Every entity type this service stores per tenant, with its database: what `npm run migrate`
 * creates the declared indexes of, without booting the app. A new `*.schema.ts` entity is added
 * here (a test in tools/migrate.spec.ts fails otherwise).
 */
export const COUPON_STORAGE: StorageDeclaration = {
  service: SERVICE_NAME,
  database: DATABASE_NAME,
  entities: [COUPON_ENTITY, REDEMPTION_ENTITY, USAGE_ENTITY, RESERVATION_ENTITY, CAMPAIGN_ENTITY, SETTINGS_ENTITY],
  // The coupon-code guessing counters (README "Coupon code guessing").
  collections: { [CODE_GUESS_COLLECTION]: WINDOW_COUNTER_INDEXES },
};
