import { multiStatus } from '@suite/api-kit';
import { BulkResultResponseDto } from './dto/bulk-result.response.dto';

/** A bulk answer of this service: `207` with one result per element, in request order (BULK-2, BULK-3). */
export const MULTI_STATUS = multiStatus(BulkResultResponseDto);

/** The bulk operations on the assignments of a segment: the segment may be missing (404). */
export const ASSIGNMENTS_BULK = { multiStatus: MULTI_STATUS, errors: [400, 404, 413, 415] };
