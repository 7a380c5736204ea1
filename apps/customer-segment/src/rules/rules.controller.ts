import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Operation } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { MANAGE, PROFILE_READ, READ } from '../customer-segment.scopes';
import { SegmentCustomersParamsDto } from '../segment-customers/dto/customer-assignment-params.dto';
import { ExplanationQueryDto, ExplanationResponseDto, RuleEvaluationResponseDto } from './dto/rules.dto';
import { Explanations } from './explanations.service';
import { RuleEvaluation } from './rule-evaluation.service';

/** Rule-based segments, suite extension (README "Rule-based segments"). */
@ApiTags('Rule-based segments')
@Controller('customer-segment/:tenant/segments/:segmentId')
export class RulesController {
  constructor(
    private readonly evaluation: RuleEvaluation,
    private readonly explanations: Explanations,
  ) {}

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
