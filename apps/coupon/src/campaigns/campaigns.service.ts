import { Readable } from 'node:stream';
import { Inject, Injectable, StreamableFile } from '@nestjs/common';
import { ApiError, assertAddressableId, EVENT_TYPES, newHexId, newMetadata, Outcome, validateDto } from '@suite/api-kit';
import type { RequestContext } from '@suite/auth';
import { ChangeEvents } from '@suite/persistence';
import { pageQuery, readListRequest } from '../common/list-request';
import { CouponSettingsService } from '../common/settings.service';
import { COUPON_CONFIG, CouponConfig } from '../config/coupon.config';
import { toCouponFields } from '../coupons/dto/coupon-fields.dto';
import { CampaignCouponRepository } from './campaign-coupon.repository';
import { CampaignRunner } from './campaign-runner';
import { CAMPAIGN_FIELDS, DEFAULT_CAMPAIGN_SORT } from './campaign.fields';
import { toCampaignView } from './campaign.mapper';
import { CampaignRepository } from './campaign.repository';
import type { Campaign, CampaignActor } from './campaign.types';
import type { ListCampaignsQueryDto } from './dto/campaign-query.dto';
import type { CampaignResponseDto } from './dto/campaign.response.dto';
import { CampaignTemplateRules, codePatternOf, CreateCampaignDto } from './dto/create-campaign.dto';

/** ID-2: campaign ids are generated as 24 lowercase hex characters. */
const CAMPAIGN_ID = /^[0-9a-f]{24}$/;
/** Codes per CSV chunk (and per cursor batch) of an export. */
const EXPORT_BATCH = 1000;

/** Code campaigns (README "Code campaigns"): the requests; the work itself is the runner's. */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly coupons: CampaignCouponRepository,
    private readonly runner: CampaignRunner,
    private readonly settings: CouponSettingsService,
    private readonly events: ChangeEvents,
    @Inject(COUPON_CONFIG) private readonly config: CouponConfig,
  ) {}

  /** Records the campaign (RUNNING, nothing made yet) and leaves the coupons to the runner: 202. */
  async create(ctx: RequestContext, body: CreateCampaignDto): Promise<Outcome<CampaignResponseDto>> {
    // The pipe has judged the whole body; these only turn it into stored values.
    const template = toCouponFields(validateDto(CampaignTemplateRules, body.template).value);
    const codePattern = codePatternOf(body.codePattern)!;
    const now = new Date();
    const campaign: Campaign = {
      id: newHexId(),
      status: 'RUNNING',
      requested: body.count,
      created: 0,
      codePattern,
      template,
      createdBy: actorOf(ctx),
      metadata: newMetadata(now, undefined, 0),
    };
    if (typeof body.name === 'string') campaign.name = body.name.trim();
    await this.campaigns.insert(ctx.tenant, campaign);
    const view = toCampaignView(campaign);
    await this.events.emit(ctx, { type: EVENT_TYPES.coupon.campaignCreated, subject: campaign.id, version: 0, time: now, data: view });
    this.runner.kick();
    return Outcome.of(202, view, { Location: `/coupon/${ctx.tenant}/coupon-campaigns/${campaign.id}` });
  }

  async list(ctx: RequestContext, query: ListCampaignsQueryDto): Promise<Outcome<CampaignResponseDto[]>> {
    const fields = { q: CAMPAIGN_FIELDS, sort: CAMPAIGN_FIELDS, defaultSort: DEFAULT_CAMPAIGN_SORT };
    const page = await this.campaigns.page(ctx.tenant, pageQuery(readListRequest(ctx, query, fields, this.config.queryMaxTimeMS)));
    return Outcome.page({ items: page.items.map(toCampaignView), total: page.total });
  }

  async get(ctx: RequestContext, id: string): Promise<CampaignResponseDto> {
    return toCampaignView(await this.find(ctx.tenant, id));
  }

  /**
   * Marks the campaign DELETING and leaves the deletion to the runner (it stops a RUNNING
   * campaign first): 202 with the campaign. Its coupons follow the tenant's `couponPermanentDelete`
   * as it is now. Asking again while it is DELETING or DELETED changes nothing (202 as it is).
   */
  async remove(ctx: RequestContext, id: string): Promise<Outcome<CampaignResponseDto>> {
    await this.find(ctx.tenant, id);
    const { permanentDelete } = await this.settings.get(ctx.tenant);
    const deletion = { ...actorOf(ctx), permanent: permanentDelete, requestedAt: new Date() };
    const marked = await this.campaigns.requestDeletion(ctx.tenant, id, deletion);
    if (marked) this.runner.kick();
    return Outcome.of(202, toCampaignView(marked ?? (await this.find(ctx.tenant, id))));
  }

  /**
   * `text/csv`: a header line `code`, then one code per line in code order, the campaign's coupons
   * that are not deleted. Streamed from a cursor, so memory stays constant; a failure after the
   * first bytes can only cut the response short.
   */
  async exportCodes(ctx: RequestContext, id: string): Promise<StreamableFile> {
    const campaign = await this.find(ctx.tenant, id);
    const batches = this.coupons.codes(ctx.tenant, campaign.id, EXPORT_BATCH, true);
    async function* csv(): AsyncGenerator<string> {
      yield 'code\n';
      for await (const codes of batches) yield `${codes.join('\n')}\n`;
    }
    return new StreamableFile(Readable.from(csv()), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="coupon-campaign-${campaign.id}.csv"`,
    });
  }

  private async find(tenant: string, id: string): Promise<Campaign> {
    assertAddressableId(id, CAMPAIGN_ID);
    const campaign = await this.campaigns.findById(tenant, id);
    if (!campaign) throw ApiError.notFound(id, `Coupon campaign with id ${id} not found.`);
    return campaign;
  }
}

function actorOf(ctx: RequestContext): CampaignActor {
  return { requestId: ctx.requestId, principalType: ctx.auth.principalType, subject: ctx.auth.subject };
}
