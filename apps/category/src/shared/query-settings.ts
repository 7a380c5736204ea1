/**
 * the time budget of the paged reads (`QUERY_MAX_TIME_MS`, default 5000 ms), applied to the
 * page query and its count; a read past it is `503 query_timeout`.
 */
export class QuerySettings {
  constructor(readonly maxTimeMS: number) {}
}
