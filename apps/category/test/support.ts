import { bearer, expectErrorProfile, httpRequest, ServiceHarness, startServiceHarness, TestResponse, TokenRequest } from '@suite/testing';
import { AppModule } from '../src/app.module';
import { loadCategoryConfig } from '../src/config/category.config';
import { CATEGORY_SCOPES } from '../src/category.scopes';

export const ALL_SCOPES = Object.values(CATEGORY_SCOPES);

/** The shared harness, with the customer-segment stub under its role's name. */
export interface Harness extends ServiceHarness {
  stub: ServiceHarness['peer'];
}

/** One category app over real HTTP on its own embedded database, with a customer-segment stub. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const h = await startServiceHarness({
    service: 'category',
    peerUrlEnv: 'CUSTOMER_SEGMENT_URL',
    build: (e, logger) => AppModule.forRoot(loadCategoryConfig(e), logger),
    env,
  });
  return { ...h, stub: h.peer };
}

export type Res<T = any> = TestResponse<T>;

/** A tiny HTTP client over fetch for one tenant and token. */
export class Client {
  constructor(
    readonly url: string,
    readonly tenant: string,
    private readonly auth: Record<string, string>,
  ) {}

  static async as(url: string, tenant: string, scopes: string[] = ALL_SCOPES, claims: Partial<TokenRequest> = {}): Promise<Client> {
    return new Client(url, tenant, await bearer({ tenant, scopes, ...claims }));
  }

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    return httpRequest<T>(`${this.url}/category/${this.tenant}${path}`, method, { headers: { ...this.auth, ...headers }, body });
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.call<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>('POST', path, body, headers);
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>('PUT', path, body, headers);
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>('PATCH', path, body, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.call<T>('DELETE', path, undefined, headers);
  }

  /** Creates a category and returns its id; fails the test on anything but 201. */
  async category(body: Record<string, unknown>): Promise<string> {
    const res = await this.post('/categories', {
      published: true,
      ...body,
      localizedName: body.localizedName ?? { en: String(body.id ?? 'cat') },
    });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { id: string }).id;
  }
}

/** The category error profile (ERR-2): the shape every 4xx but 401 must have. */
export function expectCategoryError(res: Res, status: number, errorCode: string): void {
  expectErrorProfile('category', res, status, errorCode);
}
