/**
 * Whether an answer may be sent gzip-coded, from the request's `Accept-Encoding` (RFC 9110
 * §12.5.3): `gzip` (or `x-gzip`, or else `*`) with a weight above 0 and not below a weight given
 * to `identity` (or `*`). Absent or unreadable: no (the answer is sent as it is, always allowed).
 */
export function acceptsGzip(header: string | readonly string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (typeof value !== 'string' || value.length > 1024) return false;
  let gzip: number | undefined;
  let identity: number | undefined;
  let any: number | undefined;
  for (const item of value.split(',')) {
    const [coding, ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    if (!coding) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/.exec(p);
      if (m) weight = Number(m[1]);
      else if (p.startsWith('q=')) weight = NaN;
    }
    if (Number.isNaN(weight)) continue;
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Math.max(gzip ?? 0, weight);
    else if (coding === 'identity') identity = weight;
    else if (coding === '*') any = weight;
  }
  // Identity is always acceptable unless excluded, but it competes only with a weight of its own.
  const g = gzip ?? any ?? 0;
  const i = identity ?? any ?? 0;
  return g > 0 && g >= i;
}
