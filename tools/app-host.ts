/**
 * A process hosting several of the suite's apps, each on its own port (`npm start`'s default; see
 * libs/foundation/src/app-host.ts). The launcher names them in SUITE_HOSTED_APPS:
 * `customer-segment=41001,coupon=41002,...`, and in SUITE_STOPPED_APPS those it must not start until
 * the launcher asks (`coupon,...`); every other variable is each app's environment.
 */
import 'reflect-metadata';
import path from 'node:path';
import { HostedService, ServiceDefinition, hostServices } from '@suite/foundation';
import { SERVICES, ServiceName } from './services';

export const HOSTED_APPS_VARIABLE = 'SUITE_HOSTED_APPS';
export const STOPPED_APPS_VARIABLE = 'SUITE_STOPPED_APPS';

/** `name=port` pairs, each name one of the suite's apps, each once. */
export function parseHostedApps(raw: string | undefined): Array<{ name: ServiceName; port: number }> {
  const apps = (raw ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const [name, port] = pair.split('=');
      if (!(SERVICES as readonly string[]).includes(name) || !/^\d+$/.test(port ?? '') || Number(port) > 65535)
        throw new Error(`${HOSTED_APPS_VARIABLE}: '${pair}' is not <app>=<port> with one of ${SERVICES.join(', ')}`);
      return { name: name as ServiceName, port: Number(port) };
    });
  if (new Set(apps.map((a) => a.name)).size !== apps.length) throw new Error(`${HOSTED_APPS_VARIABLE}: an app is named twice`);
  return apps;
}

function main(): void {
  const stopped = new Set((process.env[STOPPED_APPS_VARIABLE] ?? '').split(','));
  const hosted: HostedService[] = parseHostedApps(process.env[HOSTED_APPS_VARIABLE]).map(({ name, port }) => {
    // Each app's compiled root module, next to this file in dist/ (the same one its main.ts runs),
    // loaded by name: the host loads only the apps it is told to.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const appModule = require(path.join(__dirname, '..', 'apps', name, 'src', 'app.module')) as { SERVICE_DEFINITION: ServiceDefinition };
    return { definition: appModule.SERVICE_DEFINITION, port, stopped: stopped.has(name) };
  });
  void hostServices(hosted);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`app host: ${(e as Error).message}\n`);
    process.exit(2);
  }
}
