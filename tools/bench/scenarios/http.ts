/** Small request helpers for setting up benchmark data through the public API. */
export async function call(
  method: string,
  url: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

export async function expectStatus(what: string, p: Promise<{ status: number; json: any }>, ...ok: number[]): Promise<any> {
  const r = await p;
  if (!ok.includes(r.status))
    throw new Error(`${what}: expected ${ok.join('/')} but got ${r.status} ${JSON.stringify(r.json)?.slice(0, 300)}`);
  return r.json;
}

/** Runs `tasks` with at most `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, task: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await task(items[i], i);
      }
    }),
  );
}
