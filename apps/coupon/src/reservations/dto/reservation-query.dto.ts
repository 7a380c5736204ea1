import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString } from 'class-validator';
import { ListQueryDto } from '../../common/dto/list-query.dto';

/** The query of `GET .../reservations`: a list query, plus the customer a non-manager lists for. */
export class ListReservationsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    description: 'The customer whose reservations are listed; another customer than the caller needs `coupon_redeem_on_behalf`.',
  })
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value))
  @IsOptional()
  @IsString()
  customerNumber?: string;
}
