import type { ReservationResponseDto } from './dto/reservation.response.dto';
import { Reservation, reservationStatus } from './reservation.types';

/** The reservation view at `now`; optional properties left out when unset (HTTP-11). */
export function toReservationView(r: Reservation, now: Date): ReservationResponseDto {
  const view: ReservationResponseDto = {
    id: r.id,
    code: r.code,
    status: reservationStatus(r, now),
    orderTotal: { ...r.orderTotal },
    discount: { ...r.discount },
    createdAt: new Date(r.createdAt).toISOString(),
    expiresAt: new Date(r.expiresAt).toISOString(),
  };
  if (r.orderCode !== undefined) view.orderCode = r.orderCode;
  if (r.customerNumber !== undefined) view.customerNumber = r.customerNumber;
  if (r.legalEntityId !== undefined) view.legalEntityId = r.legalEntityId;
  if (r.redemptionId !== undefined) view.redemptionId = r.redemptionId;
  if (r.closedAt !== undefined) view.closedAt = new Date(r.closedAt).toISOString();
  return view;
}
