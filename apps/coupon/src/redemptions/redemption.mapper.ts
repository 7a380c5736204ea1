import type { RedemptionResponseDto } from './dto/redemption.response.dto';
import { Redemption, setReferences } from './redemption.types';

/** §3.5 response shape; optional properties left out when unset (HTTP-11). */
export function toRedemptionView(r: Redemption): RedemptionResponseDto {
  // Key order as in §3.5; the suite's extension fields only where they have a value.
  const view: RedemptionResponseDto = {
    id: r.id,
    code: r.code,
    ...setReferences({ ...r, orderCode: r.orderCode ?? r.rolledBackOrderCode }),
    orderTotal: { ...r.orderTotal },
    discount: { ...r.discount },
    redeemedAt: new Date(r.redeemedAt).toISOString(),
  };
  if (r.reservationId !== undefined) view.reservationId = r.reservationId;
  if (r.rolledBackAt !== undefined) {
    view.rolledBack = {
      at: new Date(r.rolledBackAt).toISOString(),
      ...(r.rollbackReason !== undefined ? { reason: r.rollbackReason } : {}),
    };
  }
  return view;
}

/** §3.6: the `yrn` of a redemption. */
export function redemptionYrn(tenant: string, id: string): string {
  return `urn:yaas:saasag:coupon:redemption:${tenant};${id}`;
}
