import { Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { LOCATION_HEADER, Operation, PagingQueryDto } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { MANAGE, PROFILE_READ, READ } from '../customer-segment.scopes';
import {
  B2bCustomerAssignmentParamsDto,
  B2bCustomerAssignmentWriteParamsDto,
  CustomerAssignmentParamsDto,
  CustomerAssignmentWriteParamsDto,
  SegmentCustomersParamsDto,
  customerKeyOf,
} from '../segment-customers/dto/customer-assignment-params.dto';
import { ExclusionResponseDto, ExplanationQueryDto, ExplanationResponseDto, RuleEvaluationResponseDto } from './dto/rules.dto';
import { Exclusions } from './exclusions.service';
import { Explanations } from './explanations.service';
import { RuleEvaluation } from './rule-evaluation.service';

/** The excludes: no body; `201` with `Location` when new, `204` when it existed. */
const EXCLUDE = {
  created: { headers: LOCATION_HEADER, description: 'Excluded (no body).' },
  noContent: 'Was excluded already.',
  errors: [400, 404],
};

/** Rule-based segments, suite extension (README "Rule-based segments"). */
@ApiTags('Rule-based segments')
@Controller('customer-segment/:tenant/segments/:segmentId')
export class RulesController {
  constructor(
    private readonly evaluation: RuleEvaluation,
    private readonly explanations: Explanations,
    private readonly exclusions: Exclusions,
  ) {}

  @Get('exclusions')
  @RequireScopes(READ, MANAGE)
  @Operation({
    id: 'listExclusions',
    summary: 'List the customers the segment’s rule must not make members',
    ok: { description: 'One page, in id order.', type: ExclusionResponseDto, isArray: true },
    errors: [400, 404],
  })
  listExclusions(@Ctx() ctx: RequestContext, @Param() params: SegmentCustomersParamsDto, @Query() query: PagingQueryDto) {
    return this.exclusions.list(ctx, params.segmentId, query);
  }

  @Put('exclusions/:customerId')
  @RequireScopes(MANAGE)
  @Operation({ ...EXCLUDE, id: 'excludeCustomer', summary: 'Exclude a B2C customer from the segment’s rule' })
  excludeB2c(@Ctx() ctx: RequestContext, @Param() params: CustomerAssignmentWriteParamsDto) {
    return this.exclusions.exclude(ctx, customerKeyOf(params));
  }

  @Delete('exclusions/:customerId')
  @RequireScopes(MANAGE)
  @Operation({ id: 'liftExclusion', summary: 'Lift a B2C customer’s exclusion', noContent: { description: 'Lifted (or there was none).' } })
  liftB2c(@Ctx() ctx: RequestContext, @Param() params: CustomerAssignmentParamsDto) {
    return this.exclusions.lift(ctx, customerKeyOf(params));
  }

  @Put('exclusions/:customerId/:legalEntityId')
  @RequireScopes(MANAGE)
  @Operation({ ...EXCLUDE, id: 'excludeB2bCustomer', summary: 'Exclude a B2B customer from the segment’s rule' })
  excludeB2b(@Ctx() ctx: RequestContext, @Param() params: B2bCustomerAssignmentWriteParamsDto) {
    return this.exclusions.exclude(ctx, customerKeyOf(params));
  }

  @Delete('exclusions/:customerId/:legalEntityId')
  @RequireScopes(MANAGE)
  @Operation({
    id: 'liftB2bExclusion',
    summary: 'Lift a B2B customer’s exclusion',
    noContent: { description: 'Lifted (or there was none).' },
  })
  liftB2b(@Ctx() ctx: RequestContext, @Param() params: B2bCustomerAssignmentParamsDto) {
    return this.exclusions.lift(ctx, customerKeyOf(params));
  }

  @Get('rule-evaluation')
  @RequireScopes(READ, MANAGE)
  @Operation({
    id: 'getRuleEvaluation',
    summary: 'The progress of the re-evaluation that follows a change of the segment’s rule',
    ok: { description: 'The latest re-evaluation.', type: RuleEvaluationResponseDto },
    errors: [400, 404],
  })
  progress(@Ctx() ctx: RequestContext, @Param() params: SegmentCustomersParamsDto) {
    return this.evaluation.progress(ctx.tenant, params.segmentId);
  }

  @Get('explanation')
  @RequireScopes(PROFILE_READ)
  @Operation({
    id: 'explainMembership',
    summary: 'Whether a customer or guest is a member of the segment, and why',
    ok: { description: 'The explanation.', type: ExplanationResponseDto },
    errors: [400, 404],
  })
  explain(@Ctx() ctx: RequestContext, @Param() params: SegmentCustomersParamsDto, @Query() query: ExplanationQueryDto) {
    return this.explanations.explain(ctx, params.segmentId, query);
  }
}
