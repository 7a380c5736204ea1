import { defineEntity } from '@suite/persistence';
import { Schema } from 'mongoose';
import type { MonthCounts } from './statistics.types';

/** One month's counters; `_id` is the month (`YYYY-MM`), so a range of months is a range of ids. */
export interface StatisticsDocument extends Partial<MonthCounts> {
  _id: string;
}

const statisticsSchema = new Schema<StatisticsDocument>(
  { _id: String, succeeded: Number, failedAttempts: Number, deadLettered: Number, cancelled: Number },
  { versionKey: false },
);

/** `<tenant>_webhook_statistics`: the monthly delivery counters (README "Statistics"). */
export const STATISTICS_ENTITY = defineEntity<StatisticsDocument>('webhook_statistics', statisticsSchema);
