import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBooleanQuery, PagingQueryDto } from '@suite/api-kit';
import { IsOptional, IsString } from 'class-validator';

/**
 * The query of a list (coupon §1.6): paging, `sort`, `q` and `totalCount`. `sort` and `q` are
 * judged against the list's field registry by the service (parseSort, compileQ).
 */
export class ListQueryDto extends PagingQueryDto {
  @ApiPropertyOptional({ description: 'A filter expression (conventions §5), e.g. `status:VALID discountType:PERCENT`.' })
  @IsOptional()
  @IsString()
  q?: string;

  @ApiPropertyOptional({ description: 'Comma-separated `field` or `field:asc|desc`; ties are broken by the natural key.' })
  @IsOptional()
  @IsString()
  sort?: string;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Count the matches into `X-Total-Count` and `Items-Count` (PAG-6).' })
  @IsBooleanQuery()
  totalCount?: boolean;
}
