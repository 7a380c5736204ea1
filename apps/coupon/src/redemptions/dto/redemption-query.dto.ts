import { ListQueryDto } from '../../common/dto/list-query.dto';

/** The query of `GET .../redemptions` (§7.3); `sort` defaults to `redeemedAt:desc`. */
export class ListRedemptionsQueryDto extends ListQueryDto {}
