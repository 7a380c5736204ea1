import { DevTokenClaims, signDevToken } from '@suite/auth';

/** The signing settings every test app and test token share (HS256, non-production only). */
export const TEST_AUTH = { secret: 'test-secret-not-for-production', issuer: 'http://localhost/auth', audience: 'commerce-api' } as const;

/** Environment entries that make an app accept test tokens. */
export function testAuthEnv(): Record<string, string> {
  return { AUTH_HS256_SECRET: TEST_AUTH.secret, AUTH_ISSUER: TEST_AUTH.issuer, AUTH_AUDIENCE: TEST_AUTH.audience, NODE_ENV: 'test' };
}

export type TokenRequest = Omit<DevTokenClaims, 'principalType'> & { principalType?: DevTokenClaims['principalType'] };

/** Mints a token the test apps accept; employee by default. */
export function mintToken(claims: TokenRequest): Promise<string> {
  return signDevToken({ principalType: 'employee', ...claims }, TEST_AUTH);
}

/** `{ authorization: 'Bearer …' }` for fetch. */
export async function bearer(claims: TokenRequest): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await mintToken(claims)}` };
}
