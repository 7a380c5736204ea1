/**
 * A process hosting several of the suite's apps, each on its own port (`npm start`'s default; see
 * libs/foundation/src/app-host.ts). The launcher names them in SUITE_HOSTED_APPS:
 * `customer-segment=41001,coupon=41002,...`, and in SUITE_STOPPED_APPS those it must not start until
 * the launcher asks (`coupon,...`); every other variable is each app's environment. The launcher runs
 * it bundled (tools/build.js, through ./app-host-main); `node dist/tools/app-host.js` runs it as compiled.
 */
import 'reflect-metadata';
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

type AppModule = { SERVICE_DEFINITION: ServiceDefinition };

/*
 * Each app's root module (the same one its main.ts runs), required by a literal path so that the
 * bundle `npm start` runs (tools/build.js, dist/tools/app-host.bundle.js, through ./app-host-main)
 * contains them; required only when named, so the host loads only the apps it is told to.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const APP_MODULES: Record<ServiceName, () => AppModule> = {
  'customer-segment': () => require('../apps/customer-segment/src/app.module') as AppModule,
  coupon: () => require('../apps/coupon/src/app.module') as AppModule,
  category: () => require('../apps/category/src/app.module') as AppModule,
  webhook: () => require('../apps/webhook/src/app.module') as AppModule,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Starts the apps SUITE_HOSTED_APPS names; resolves once they listen. A bad value ends the process
 * with exit code 2.
 */
export async function runAppHost(): Promise<void> {
  let hosted: HostedService[];
  try {
    const stopped = new Set((process.env[STOPPED_APPS_VARIABLE] ?? '').split(','));
    hosted = parseHostedApps(process.env[HOSTED_APPS_VARIABLE]).map(({ name, port }) => ({
      definition: APP_MODULES[name]().SERVICE_DEFINITION,
      port,
      stopped: stopped.has(name),
    }));
  } catch (e) {
    process.stderr.write(`app host: ${(e as Error).message}\n`);
    process.exit(2);
  }
  await hostServices(hosted);
}

if (require.main === module) void runAppHost();
