import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiTags } from '@nestjs/swagger';
import { location, Operation, page, TOTAL_COUNT } from '@suite/api-kit';
import { Ctx, RequestContext, RequireScopes } from '@suite/auth';
import { TOTAL_COUNT_HEADERS } from '../config/coupon.config';
import { COUPON_SCOPES } from '../coupon.scopes';
import { CampaignsService } from './campaigns.service';
import { CampaignParamsDto } from './dto/campaign-params.dto';
import { ListCampaignsQueryDto } from './dto/campaign-query.dto';
import { CampaignResponseDto } from './dto/campaign.response.dto';
import { CreateCampaignDto } from './dto/create-campaign.dto';

const READ = [COUPON_SCOPES.manage, COUPON_SCOPES.read] as const;

// `Operation` has no slot for `202 Accepted`, so the two job-starting operations add
// `ApiAcceptedResponse` next to it; the status itself comes from the service's Outcome.

/** Code campaigns (README "Code campaigns"): many coupons from one template and a code pattern, made by a job. */
@ApiTags('Coupon campaigns')
@Controller('coupon/:tenant/coupon-campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post()
  @RequireScopes(COUPON_SCOPES.manage)
  @Operation({ id: 'createCouponCampaign', summary: 'Start a code campaign (up to 100,000 coupons)', errors: [400] })
  @ApiAcceptedResponse({
    type: CampaignResponseDto,
    description: 'Accepted: the campaign is RUNNING; follow its progress at `Location`.',
    headers: location('The URL of the campaign.'),
  })
  create(@Ctx() ctx: RequestContext, @Body() body: CreateCampaignDto) {
    return this.campaigns.create(ctx, body);
  }

  @Get()
  @RequireScopes(...READ)
  @Operation({
    id: 'listCouponCampaigns',
    summary: 'List code campaigns',
    headers: [TOTAL_COUNT],
    ok: page(CampaignResponseDto, 'The campaigns, newest first by default.', TOTAL_COUNT_HEADERS),
    errors: [400],
  })
  list(@Ctx() ctx: RequestContext, @Query() query: ListCampaignsQueryDto) {
    return this.campaigns.list(ctx, query);
  }

  @Get(':campaignId')
  @RequireScopes(...READ)
  @Operation({
    id: 'getCouponCampaign',
    summary: 'Read a code campaign and its progress',
    ok: { type: CampaignResponseDto, description: 'The campaign.' },
    errors: [404],
  })
  get(@Ctx() ctx: RequestContext, @Param() params: CampaignParamsDto) {
    return this.campaigns.get(ctx, params.campaignId);
  }

  @Get(':campaignId/codes')
  @RequireScopes(...READ)
  @Operation({
    id: 'exportCouponCampaignCodes',
    summary: "Export a campaign's codes as CSV",
    ok: {
      description: 'A header line `code`, then one code per line in code order (coupons not deleted), streamed.',
      content: { 'text/csv': { schema: { type: 'string', example: 'code\nSPRING-7KQ2M9XA\nSPRING-A3HRT8WZ\n' } } },
    },
    errors: [404],
  })
  exportCodes(@Ctx() ctx: RequestContext, @Param() params: CampaignParamsDto) {
    return this.campaigns.exportCodes(ctx, params.campaignId);
  }

  @Delete(':campaignId')
  @RequireScopes(COUPON_SCOPES.manage)
  @Operation({ id: 'deleteCouponCampaign', summary: 'Delete a code campaign and its coupons', errors: [404] })
  @ApiAcceptedResponse({ type: CampaignResponseDto, description: 'Accepted: the campaign is DELETING (or was deleted already).' })
  remove(@Ctx() ctx: RequestContext, @Param() params: CampaignParamsDto) {
    return this.campaigns.remove(ctx, params.campaignId);
  }
}
