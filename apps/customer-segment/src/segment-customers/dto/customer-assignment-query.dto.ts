import { ListQueryDto, SortedPageQueryDto } from '../../common/dto/list-query.dto';

/** `GET …/customers` (segment §3.12). */
export class CustomerAssignmentListQueryDto extends ListQueryDto {}

/** `POST …/customers/search` (segment §3.13): `q` comes from the body, a `q` parameter is ignored. */
export class CustomerAssignmentSearchQueryDto extends SortedPageQueryDto {}
