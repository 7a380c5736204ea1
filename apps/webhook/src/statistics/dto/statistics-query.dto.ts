import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';

/** `YYYY-MM` with a month from 01 to 12. */
export const YEAR_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const emptyIsAbsent = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** The query of `GET /webhook/{tenant}/statistics` (Emporix `fromYearMonth`, `toYearMonth`). */
export class StatisticsQueryDto {
  @ApiPropertyOptional({ example: '2024-01', description: 'The first month, `YYYY-MM` (default: 11 months before `toYearMonth`).' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @Matches(YEAR_MONTH, { message: 'fromYearMonth must be a month in the format YYYY-MM' })
  fromYearMonth?: string;

  @ApiPropertyOptional({ example: '2024-12', description: 'The last month, `YYYY-MM` (default: the current month, UTC).' })
  @Transform(emptyIsAbsent)
  @IsOptional()
  @Matches(YEAR_MONTH, { message: 'toYearMonth must be a month in the format YYYY-MM' })
  toYearMonth?: string;
}
