import { Body, Controller, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Operation, page, TOTAL_COUNT } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { TOTAL_COUNT_HEADERS } from '../config/coupon.config';
import { COUPON_SCOPES } from '../coupon.scopes';
import { QualificationsQueryDto } from './dto/qualification-query.dto';
import { cartCurrencyRule, QualificationRequestDto } from './dto/qualification-request.dto';
import { QualificationDto } from './dto/qualification.response.dto';
import { QualificationsService } from './qualifications.service';

/** Suite extension (README "Qualifications"). */
@ApiTags('Qualifications')
@Controller('coupon/:tenant/qualifications')
export class QualificationsController {
  constructor(private readonly qualifications: QualificationsService) {}

  // Who sees which candidates depends on the scopes (managers all, others what they may know): the service decides.
  @Post()
  @RequireScopes(COUPON_SCOPES.manage, COUPON_SCOPES.read, COUPON_SCOPES.redeem, COUPON_SCOPES.redeemOnBehalf)
  @Operation({
    id: 'qualifyCoupons',
    summary: 'Which coupons apply to a cart, and why not the others',
    description:
      'Suite extension (README "Qualifications"): every candidate with its status, every failing reason (R1–R13) ' +
      'and the quoted discount, best first. Nothing is written.',
    headers: [TOTAL_COUNT],
    ok: page(QualificationDto, 'The candidates, best first.', TOTAL_COUNT_HEADERS),
    errors: [400, 503],
    httpCode: 200,
    validate: { rules: [cartCurrencyRule] },
  })
  qualify(@Ctx() ctx: RequestContext, @Query() query: QualificationsQueryDto, @Body() body: QualificationRequestDto) {
    return this.qualifications.qualify(ctx, query, body);
  }
}
