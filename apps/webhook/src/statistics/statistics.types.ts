/** What the statistics count per month (README "Statistics"); the month is the UTC month of the event counted. */
export interface MonthCounts {
  /** Deliveries whose attempt got a 2xx (Emporix `succesfullySentWebhooks`). */
  succeeded: number;
  /** Attempts that failed (suite extension). */
  failedAttempts: number;
  /** Deliveries dead-lettered after their last attempt (suite extension). */
  deadLettered: number;
  /** Deliveries dropped because their target was gone or inactive (suite extension). */
  cancelled: number;
}

export interface MonthStatistics extends MonthCounts {
  /** `YYYY-MM`. */
  month: string;
}

/** The UTC month of an instant, `YYYY-MM`. */
export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}
