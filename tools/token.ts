// Development token CLI (issue 3, "Running it"):
//   npm run token -- --tenant acme --scopes "customersegment.segment_manage coupon.coupon_read"
//                    [--principal customer --customer C1 --legal-entity LE1] [--sub S] [--sid V]
//                    [--client-id C] [--ttl 3600]
// Prints only the token on stdout, signed HS256 with AUTH_HS256_SECRET / AUTH_ISSUER / AUTH_AUDIENCE
// (same defaults as the apps), so the guard of a locally running app accepts it.
import { parseArgs } from 'node:util';
import { devSigningSettingsFromEnv, isValidTenant, PRINCIPAL_TYPES, PrincipalType, signDevToken } from '@suite/auth';

const USAGE =
  'usage: npm run token -- --tenant <tenant> [--scopes "<scope> <scope> ..."] [--principal employee|customer|service|anonymous]\n' +
  '                        [--sub <id>] [--customer <customerId>] ' +
  '[--legal-entity <id>] [--sid <visitId>] [--client-id <id>] [--ttl <seconds>]';

/** Parses `argv` (without node and script), signs the token and returns it; throws on bad input. */
export async function main(argv: string[], env: NodeJS.ProcessEnv, warn: (m: string) => void = () => undefined): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      tenant: { type: 'string' },
      scopes: { type: 'string', default: '' },
      principal: { type: 'string', default: 'employee' },
      sub: { type: 'string' },
      customer: { type: 'string' },
      'legal-entity': { type: 'string' },
      sid: { type: 'string' },
      'client-id': { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) throw new UsageError('');
  if (!isValidTenant(values.tenant)) throw new UsageError('--tenant is required and must match ^[a-z][a-z0-9]{2,15}$');
  const principal = values.principal as string;
  if (!(PRINCIPAL_TYPES as readonly string[]).includes(principal))
    throw new UsageError(`--principal must be one of ${PRINCIPAL_TYPES.join(', ')}`);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) throw new UsageError('--ttl must be a positive integer (seconds)');
  if (principal === 'customer' && values.customer === undefined && values.sub === undefined) {
    throw new UsageError('--principal customer needs --customer <customerId>');
  }
  const signing = devSigningSettingsFromEnv(env, warn);
  if (!signing.secret) throw new UsageError('AUTH_HS256_SECRET must be set when NODE_ENV=production');
  return signDevToken(
    {
      tenant: values.tenant,
      scopes: (values.scopes as string).split(/\s+/).filter(Boolean),
      principalType: principal as PrincipalType,
      sub: values.sub ?? (principal === 'employee' ? 'dev-user' : undefined),
      customerId: values.customer,
      legalEntityId: values['legal-entity'],
      sid: values.sid,
      clientId: values['client-id'],
      ttlSec: ttl,
    },
    signing,
  );
}

class UsageError extends Error {}

if (require.main === module) {
  main(process.argv.slice(2), process.env, (m) => process.stderr.write(`warning: ${m}\n`)).then(
    (token) => process.stdout.write(`${token}\n`),
    (e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      process.stderr.write(`${message ? `${message}\n` : ''}${USAGE}\n`);
      process.exitCode = 2;
    },
  );
}
