/**
 * How long after it was stored an event becomes visible in the feed (README "Event feed",
 * "Settle window"). Two ingestions of one tenant allocate their position blocks and then insert in
 * either order; a reader that returned a later position while an earlier one was still being
 * written would move its cursor past it for good. An event is therefore shown only once it was
 * stored at least this long ago, and a write slower than half of it is moved to new positions
 * (see FeedWriter), so a reader can never pass an event that is still to appear.
 */
export const FEED_SETTLE_MS = 1000;

/** A write (position allocation to stored) slower than this is given new positions. */
export const FEED_LATE_WRITE_MS = FEED_SETTLE_MS / 2;

/** How often one instance purges one tenant's expired feed events at most. */
export const FEED_PURGE_INTERVAL_MS = 60_000;

/** `pageSize` of the feed: default and bounds. */
export const FEED_PAGE_SIZE = { default: 100, min: 1, max: 1000 } as const;

/** At most this many events per ingestion request. */
export const MAX_EVENTS_PER_REQUEST = 500;
