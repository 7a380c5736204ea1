import type { RedemptionResponseDto } from './dto/redemption.response.dto';
import type { Redemption } from './redemption.types';

/** §3.5 response shape; optional properties left out when unset (HTTP-11). */
export function toRedemptionView(r: Redemption): RedemptionResponseDto {
  const view: RedemptionResponseDto = { id: r.id, code: r.code, orderTotal: { ...r.orderTotal }, discount: { ...r.discount }, redeemedAt: new Date(r.redeemedAt).toISOString() };
  if (r.orderCode !== undefined) view.orderCode = r.orderCode;
  if (r.customerNumber !== undefined) view.customerNumber = r.customerNumber;
  if (r.legalEntityId !== undefined) view.legalEntityId = r.legalEntityId;
  // Key order as in §3.5.
  return {
    id: view.id,
    code: view.code,
    ...(view.orderCode !== undefined ? { orderCode: view.orderCode } : {}),
    ...(view.customerNumber !== undefined ? { customerNumber: view.customerNumber } : {}),
    ...(view.legalEntityId !== undefined ? { legalEntityId: view.legalEntityId } : {}),
    orderTotal: view.orderTotal,
    discount: view.discount,
    redeemedAt: view.redeemedAt,
  };
}

/** §3.6: the `yrn` of a redemption. */
export function redemptionYrn(tenant: string, id: string): string {
  return `urn:yaas:saasag:coupon:redemption:${tenant};${id}`;
}
