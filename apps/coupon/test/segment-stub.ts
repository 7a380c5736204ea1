import type { RecordedRequest } from './support';

/** A segment as the customer-segment service returns it in FULL mode (customer-segment §2.1, §3.2). */
export interface FakeSegment {
  id: string;
  status: 'ACTIVE' | 'INACTIVE';
  validity?: { from?: string; to?: string };
}

export function jwtPayload(authorization: string | string[] | undefined): Record<string, unknown> {
  const raw = Array.isArray(authorization) ? authorization[0] : authorization;
  const token = (raw ?? '').replace(/^Bearer /, '');
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}');
}

/** Quoted items of `id:("a","b\"c")` (Q-3 unescaping). */
export function idsOfQ(q: string | null): string[] {
  const m = /^id:\((.*)\)$/.exec(q ?? '');
  if (!m) return [];
  const ids: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let hit: RegExpExecArray | null;
  while ((hit = re.exec(m[1]))) ids.push(hit[1].replace(/\\(.)/g, '$1'));
  return ids;
}

/**
 * Answers `GET /customer-segment/{tenant}/segments?customerId=…&q=id:(…)&pageSize=n&pageNumber=p`
 * as the customer-segment contract says (§3.2 FULL mode): only with a `service`-principal token
 * holding `customersegment.segment_read` for the path tenant (401/403 otherwise), the customer's
 * segments among the ids, inactive and expired ones included, paged.
 */
export function segmentService(tenant: string, membership: Record<string, FakeSegment[]>) {
  return (req: RecordedRequest) => {
    if (req.method !== 'GET' || req.path !== `/customer-segment/${tenant}/segments`) return { status: 404, json: { code: 404 } };
    const claims = jwtPayload(req.headers.authorization);
    if (claims.tenant !== tenant) return { status: 401, json: { fault: {} } };
    const scopes = String(claims.scope ?? '').split(' ');
    if (!scopes.includes('customersegment.segment_read')) return { status: 403, json: { code: 403 } };
    const customerId = req.query.get('customerId');
    const ids = new Set(idsOfQ(req.query.get('q')));
    const pageSize = Number(req.query.get('pageSize') ?? 60);
    const pageNumber = Number(req.query.get('pageNumber') ?? 1);
    const legalEntityId = req.query.get('legalEntityId');
    const key = legalEntityId ? `${customerId}/${legalEntityId}` : `${customerId}`;
    const all = (membership[key] ?? membership[`${customerId}`] ?? []).filter((s) => ids.has(s.id));
    const page = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return { status: 200, json: page.map((s) => ({ ...s, name: { en: s.id }, siteCode: 'main', metadata: { version: 1 } })) };
  };
}
