import type { RedemptionResponseDto } from './dto/redemption.response.dto';
import { Redemption, setReferences } from './redemption.types';

/** §3.5 response shape; optional properties left out when unset (HTTP-11). */
export function toRedemptionView(r: Redemption): RedemptionResponseDto {
  // Key order as in §3.5.
  return {
    id: r.id,
    code: r.code,
    ...setReferences(r),
    orderTotal: { ...r.orderTotal },
    discount: { ...r.discount },
    redeemedAt: new Date(r.redeemedAt).toISOString(),
  };
}

/** §3.6: the `yrn` of a redemption. */
export function redemptionYrn(tenant: string, id: string): string {
  return `urn:yaas:saasag:coupon:redemption:${tenant};${id}`;
}
