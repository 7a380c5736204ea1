import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** What services need from the request besides the token: ids and language headers. */
export interface RequestMeta {
  requestId: string;
  acceptLanguage?: string;
  contentLanguage?: string;
  /** W3C trace context, forwarded unchanged on peer calls (HTTP-9, S2S-5). */
  traceparent?: string;
  /** `X-Total-Count: true` was asked (PAG-6); never a 400. */
  wantsTotal: boolean;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

/** Injects the {@link RequestMeta} of the current request. */
export const Meta = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest<{ id: string; headers: Record<string, string | string[] | undefined> }>();
  const total = req.headers['x-total-count'];
  return {
    requestId: req.id,
    acceptLanguage: header(req.headers['accept-language']),
    contentLanguage: header(req.headers['content-language']),
    traceparent: typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined,
    wantsTotal: typeof total === 'string' && total.toLowerCase() === 'true',
  };
});
