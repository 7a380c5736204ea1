import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Emporix `MonthStatistics`, with the suite's extension counters. */
export class MonthStatisticsDto {
  @ApiProperty({ example: '2024-06', description: 'The month, `YYYY-MM` (UTC).' })
  statisticsMonth!: string;

  @ApiProperty({ description: "Deliveries answered with a 2xx by the tenant's endpoints (Emporix's spelling)." })
  succesfullySentWebhooks!: number;

  @ApiProperty({ description: 'Suite extension: attempts that failed (each retry counts).' })
  failedAttempts!: number;

  @ApiProperty({ description: 'Suite extension: deliveries dead-lettered after their last attempt.' })
  deadLetteredWebhooks!: number;

  @ApiProperty({ description: 'Suite extension: deliveries dropped because their target was gone or inactive.' })
  cancelledWebhooks!: number;
}

/** Emporix `WebhookStatistics`. */
export class WebhookStatisticsDto {
  @ApiProperty({ type: [MonthStatisticsDto], description: 'Every month of the range, newest first (months without deliveries count 0).' })
  monthStatistics!: MonthStatisticsDto[];

  @ApiPropertyOptional({ description: 'The monthly limit of the deployment (WEBHOOK_MONTHLY_LIMIT), informational; absent when unset.' })
  webhooksLimit?: number;
}
