import { renderMetadata } from '@suite/api-kit';
import type { CouponFields } from '../coupons/coupon.types';
import type { Campaign } from './campaign.types';
import type { CampaignResponseDto, CodePatternResponseDto } from './dto/campaign.response.dto';

/** The template in request-body shape (dates as strings, defaults applied), as a create would send it. */
export function toTemplateBody(fields: CouponFields): Record<string, unknown> {
  const r = fields.restrictions;
  const restrictions: Record<string, unknown> = { validFor: [...r.validFor] };
  if (r.validFrom) restrictions.validFrom = new Date(r.validFrom).toISOString();
  if (r.validUntil) restrictions.validUntil = new Date(r.validUntil).toISOString();
  if (r.minOrderValue) restrictions.minOrderValue = { ...r.minOrderValue };
  if (r.includedCategories.length) restrictions.includedCategories = [...r.includedCategories];
  if (r.excludedCategories.length) restrictions.excludedCategories = [...r.excludedCategories];
  if (r.segments.length) restrictions.segments = [...r.segments];
  const { mixinSchemas, restrictions: _r, ...rest } = fields;
  const body: Record<string, unknown> = { ...rest, restrictions };
  if (mixinSchemas && Object.keys(mixinSchemas).length) body.metadata = { mixins: { ...mixinSchemas } };
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
  return body;
}

/** A campaign as every read, the create and delete answers and the events render it (HTTP-11: no empty optionals). */
export function toCampaignView(campaign: Campaign): CampaignResponseDto {
  const p = campaign.codePattern;
  const codePattern: CodePatternResponseDto = { length: p.length, alphabet: p.alphabet };
  if (p.prefix) codePattern.prefix = p.prefix;
  if (p.suffix) codePattern.suffix = p.suffix;
  const view: CampaignResponseDto = {
    id: campaign.id,
    name: campaign.name,
    status: campaign.status,
    requested: campaign.requested,
    created: campaign.created,
    codePattern,
    template: toTemplateBody(campaign.template),
    failure: campaign.failure ? { ...campaign.failure } : undefined,
    completedAt: campaign.completedAt ? new Date(campaign.completedAt).toISOString() : undefined,
    metadata: renderMetadata(campaign.metadata),
  };
  for (const [k, v] of Object.entries(view)) if (v === undefined) delete (view as unknown as Record<string, unknown>)[k];
  return view;
}
