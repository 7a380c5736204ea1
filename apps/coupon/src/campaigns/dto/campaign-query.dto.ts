import { ListQueryDto } from '../../common/dto/list-query.dto';

/** The query of `GET /coupon-campaigns`: paging, `sort` (default `metadata.createdAt:desc`), `q`, `totalCount`. */
export class ListCampaignsQueryDto extends ListQueryDto {}
