import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBooleanQuery } from '@suite/api-kit';
import { ListQueryDto } from '../../common/dto/list-query.dto';

/** The query of `GET /coupons` (§6.1). */
export class ListCouponsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Include soft-deleted coupons (shown with `deleted: true`).' })
  @IsBooleanQuery()
  showDeleted?: boolean;
}

/** The query of `PUT /coupons/{code}` (§6.4). */
export class ReplaceCouponQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'With `true` the body is a merge patch and the request behaves exactly like PATCH.',
  })
  @IsBooleanQuery()
  partial?: boolean;
}
