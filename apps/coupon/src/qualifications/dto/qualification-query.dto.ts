import { OmitType } from '@nestjs/swagger';
import { ListQueryDto } from '../../common/dto/list-query.dto';

/**
 * The query of qualifications: `q` narrows the candidates (over the fields the caller may see),
 * `pageNumber`/`pageSize` page the answer, `totalCount` counts it. No `sort`: the order is best first.
 */
export class QualificationsQueryDto extends OmitType(ListQueryDto, ['sort'] as const) {}
