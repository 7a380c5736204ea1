/**
 * The deployment files, checked without a Docker engine or a cluster: docker-compose.yml is
 * production-shaped (issuer-verified tokens only, MongoDB 8.0 as a replica set, health-gated
 * start order, indexes migrated first, only the gateway published), the development override is
 * the one place with the HS256 signer and binds to 127.0.0.1 only, the image is a current Node LTS
 * with a HEALTHCHECK and no test code, and the Kubernetes manifests under deploy/ give every app
 * probes, resources, a Service, a PodDisruptionBudget and a production environment that the apps'
 * own configuration loaders accept. Every app includes the webhook service: the three others hand
 * it their events at WEBHOOK_URL with their own clients; it has no client of its own (it calls no
 * peer) and never an opened WEBHOOK_ALLOWED_DESTINATIONS in production.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BaseConfig } from '@suite/api-kit';
import { AuthModuleOptions, resolveAuthOptions } from '@suite/auth';
import { loadCategoryConfig, PRODUCTION_SETTINGS as CATEGORY_SETTINGS } from '../apps/category/src/config/category.config';
import { loadCouponConfig, PRODUCTION_SETTINGS as COUPON_SETTINGS } from '../apps/coupon/src/config/coupon.config';
import {
  loadCustomerSegmentConfig,
  PRODUCTION_SETTINGS as SEGMENT_SETTINGS,
} from '../apps/customer-segment/src/config/customer-segment.config';
import { loadWebhookConfig, PRODUCTION_SETTINGS as WEBHOOK_SETTINGS } from '../apps/webhook/src/config/webhook.config';
import {
  ComposeFile,
  dockerIgnored,
  dockerIgnorePatterns,
  environmentOf,
  hostIpOf,
  interpolate,
  Json,
  loadCompose,
  loadYamlDocuments,
  mergeCompose,
} from './support/deploy-model';

const ROOT = path.resolve(__dirname, '..');
const at = (...p: string[]) => path.join(ROOT, ...p);
const APPS = ['customer-segment', 'coupon', 'category', 'webhook'] as const;
type App = (typeof APPS)[number];
/** The apps that write events and hand them to the webhook service, each with its own client. */
const PUBLISHERS = ['customer-segment', 'coupon', 'category'] as const;
const isPublisher = (app: string) => (PUBLISHERS as readonly string[]).includes(app);
const LOADERS: Record<App, (env: NodeJS.ProcessEnv) => { production: boolean; auth: AuthModuleOptions; peers: BaseConfig['peers'] }> = {
  'customer-segment': loadCustomerSegmentConfig,
  coupon: loadCouponConfig,
  category: loadCategoryConfig,
  webhook: loadWebhookConfig,
};
const SETTINGS: Record<App, string[]> = {
  'customer-segment': SEGMENT_SETTINGS,
  coupon: COUPON_SETTINGS,
  category: CATEGORY_SETTINGS,
  webhook: WEBHOOK_SETTINGS,
};
/** The credentials an app that calls peers needs, and one that calls none must not hold. */
const CLIENT_SETTINGS = ['AUTH_TOKEN_URL', 'SERVICE_CLIENT_ID', 'SERVICE_CLIENT_SECRET'];
const ISSUER_ENV = {
  AUTH_ISSUER: 'https://idp.example.test/',
  AUTH_JWKS_URI: 'https://idp.example.test/jwks',
  AUTH_TOKEN_URL: 'https://idp.example.test/token',
};
const REQUIRED_COMPOSE_ENV = {
  ...ISSUER_ENV,
  CUSTOMER_SEGMENT_CLIENT_SECRET: 'cs-secret',
  COUPON_CLIENT_SECRET: 'coupon-secret',
  CATEGORY_CLIENT_SECRET: 'category-secret',
};

/** `node dist/<x>.js` → the source file `<x>.ts` it is built from. */
function sourceOfCommand(command: string[]): string {
  expect(command.slice(0, 1)).toEqual(['node']);
  expect(command[1]).toMatch(/^dist\/.+\.js$/);
  return command[1].replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

describe('docker-compose.yml (production shape)', () => {
  const compose = loadCompose(at('docker-compose.yml'));
  const raw = compose.data;
  const { value: prod, errors } = interpolate(raw, REQUIRED_COMPOSE_ENV);
  const services = prod.services as Record<string, Json>;
  const built = Object.keys(services).filter((s) => services[s].build !== undefined);

  it('runs the four apps, the gateway, the migration and MongoDB, and interpolates with the required settings', () => {
    expect(Object.keys(services).sort()).toEqual(['category', 'coupon', 'customer-segment', 'gateway', 'migrate', 'mongo', 'webhook']);
    expect(errors).toEqual([]);
  });

  it('refuses to start without an issuer and the client secrets (compose names each one)', () => {
    const { errors: missing } = interpolate(raw, {});
    expect([...new Set(missing.map((e) => e.split(':')[0]))].sort()).toEqual(Object.keys(REQUIRED_COMPOSE_ENV).sort());
    // Each with a message saying what to set.
    for (const e of missing) expect(e).toMatch(/^\w+: set \w+/);
  });

  it('runs every container of the image in production mode, never with an HS256 secret', () => {
    for (const name of built) expect({ name, NODE_ENV: environmentOf(services[name]).NODE_ENV }).toEqual({ name, NODE_ENV: 'production' });
    for (const [name, service] of Object.entries(services))
      expect({ name, keys: Object.keys(environmentOf(service)) }).not.toEqual(
        expect.objectContaining({ keys: expect.arrayContaining(['AUTH_HS256_SECRET']) }),
      );
  });

  it('gives each app an environment its own configuration loader accepts in production (issuer, JWKS, its client, its peer)', () => {
    for (const app of APPS) {
      const env = environmentOf(services[app]);
      const config = LOADERS[app](env);
      expect(config.production).toBe(true);
      expect(config.auth.jwksUri).toBe(ISSUER_ENV.AUTH_JWKS_URI);
      expect(config.auth.hs256Secret).toBeUndefined();
      // What AuthModule.forRoot checks at boot, beyond the loader (token endpoint and client together).
      expect(() => resolveAuthOptions(config.auth)).not.toThrow();
      for (const setting of SETTINGS[app]) expect({ app, setting, set: Boolean(env[setting]) }).toEqual({ app, setting, set: true });
      if (isPublisher(app)) {
        expect(env.SERVICE_CLIENT_ID).toBe(app);
        expect(config.auth).toEqual(expect.objectContaining({ clientId: app, tokenUrl: ISSUER_ENV.AUTH_TOKEN_URL }));
      } else {
        // The webhook service calls no peer: it is given no credentials it would not use.
        expect({ app, client: CLIENT_SETTINGS.filter((n) => n in env) }).toEqual({ app, client: [] });
      }
    }
  });

  it('points the three event-writing apps at the webhook service (WEBHOOK_URL is required of them in production)', () => {
    const port = environmentOf(services.webhook).PORT;
    expect(port).toBe('3004');
    for (const app of PUBLISHERS) {
      expect(SETTINGS[app]).toContain('WEBHOOK_URL');
      expect({ app, webhookUrl: LOADERS[app](environmentOf(services[app])).peers.webhookUrl }).toEqual({
        app,
        webhookUrl: `http://webhook:${port}`,
      });
    }
    expect(SETTINGS.webhook).toEqual(['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URI']);
  });

  it('keeps the webhook destinations to public https URLs, and passes its tuning through', () => {
    for (const [name, service] of Object.entries(services))
      expect({ name, allowed: environmentOf(service).WEBHOOK_ALLOWED_DESTINATIONS ?? '' }).toEqual({ name, allowed: '' });
    const config = loadWebhookConfig(environmentOf(services.webhook));
    expect(config.destinations.requireHttps).toBe(true);
    expect(config.destinations.allowedHosts.size).toBe(0);
    expect(config.destinations.allowedNetworks.check('127.0.0.1', 'ipv4')).toBe(false);
    // Unset tuning variables arrive empty, which is each setting's default.
    expect(config.delivery).toEqual(expect.objectContaining({ timeoutMs: 10000, concurrencyPerDestination: 32, pollMs: 200 }));
    expect(config.monthlyLimit).toBeUndefined();
    const tuned = interpolate(raw, { ...REQUIRED_COMPOSE_ENV, WEBHOOK_RETRY_SCHEDULE: '1s,2m', WEBHOOK_MONTHLY_LIMIT: '5000' }).value;
    const tunedConfig = loadWebhookConfig(environmentOf(tuned.services.webhook));
    expect(tunedConfig.delivery.retryScheduleMs).toEqual([1000, 120000]);
    expect(tunedConfig.monthlyLimit).toBe(5000);
  });

  it('publishes only the gateway; MongoDB and the apps are reachable on the compose network only', () => {
    const published = Object.entries(services).filter(([, s]) => s.ports?.length);
    expect(published.map(([name]) => name)).toEqual(['gateway']);
    expect(services.gateway.ports).toEqual(['8080:8080']);
  });

  it('pins MongoDB to an 8.0 patch release and runs it as a replica set that the healthcheck initiates', () => {
    const mongo = services.mongo;
    expect(mongo.image).toMatch(/^mongo:8\.0\.\d+$/);
    const command: string[] = mongo.command;
    const replSet = command[command.indexOf('--replSet') + 1];
    expect(replSet).toMatch(/^\w+$/);
    const check = mongo.healthcheck.test.join(' ');
    expect(check).toContain(`rs.initiate({ _id: '${replSet}', members: [{ _id: 0, host: 'mongo:27017' }] })`);
    expect(check).toContain('isWritablePrimary');
    for (const name of built) {
      const uri = environmentOf(services[name]).MONGODB_URI;
      if (uri !== undefined) expect({ name, uri }).toEqual({ name, uri: `mongodb://mongo:27017/?replicaSet=${replSet}` });
    }
  });

  it('gives every service a healthcheck; only a one-shot job that others wait on to complete may go without', () => {
    const awaitedToComplete = new Set(
      Object.values(services).flatMap((s) =>
        Object.entries(s.depends_on ?? {})
          .filter(([, d]) => (d as Json).condition === 'service_completed_successfully')
          .map(([n]) => n),
      ),
    );
    for (const [name, service] of Object.entries(services)) {
      expect({ name, healthcheck: service.healthcheck !== undefined }).toEqual({ name, healthcheck: true });
      if (service.healthcheck.disable) {
        expect({ name, oneShot: service.restart === 'no' && awaitedToComplete.has(name) }).toEqual({ name, oneShot: true });
      } else {
        expect(service.healthcheck.test.length).toBeGreaterThan(1);
      }
    }
  });

  it('starts each service only once what it depends on is healthy (or, for the migration, completed)', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(Array.isArray(service.depends_on)).toBe(false);
      for (const [dependency, rule] of Object.entries(service.depends_on ?? {})) {
        const condition = (rule as Json).condition;
        expect({ name, dependency, condition }).toEqual({
          name,
          dependency,
          condition: dependency === 'migrate' ? 'service_completed_successfully' : 'service_healthy',
        });
        if (condition === 'service_healthy') expect(services[dependency].healthcheck.disable).toBeUndefined();
      }
    }
    for (const app of APPS) expect(Object.keys(services[app].depends_on).sort()).toEqual(['migrate', 'mongo']);
    expect(Object.keys(services.gateway.depends_on).sort()).toEqual([...APPS].sort());
    expect(Object.keys(services.migrate.depends_on)).toEqual(['mongo']);
  });

  it('migrates the indexes with the migrate entry point, against the same database as the apps', () => {
    expect(sourceOfCommand(services.migrate.command)).toBe('tools/migrate.ts');
    expect(services.migrate.restart).toBe('no');
    expect(environmentOf(services.migrate).MONGODB_URI).toBe(environmentOf(services.coupon).MONGODB_URI);
  });

  it('starts every app from its own entry point and points peers at the services that serve them', () => {
    const ports = Object.fromEntries(APPS.map((app) => [app, environmentOf(services[app]).PORT]));
    expect(new Set(Object.values(ports)).size).toBe(APPS.length);
    for (const app of APPS) expect(sourceOfCommand(services[app].command)).toBe(`apps/${app}/src/main.ts`);
    expect(sourceOfCommand(services.gateway.command)).toBe('tools/gateway.ts');
    for (const name of [...PUBLISHERS, 'gateway']) {
      const env = environmentOf(services[name]);
      expect({
        name,
        peers: [env.CUSTOMER_SEGMENT_URL, env.COUPON_URL, env.CATEGORY_URL, env.WEBHOOK_URL],
      }).toEqual({
        name,
        peers: [
          `http://customer-segment:${ports['customer-segment']}`,
          `http://coupon:${ports.coupon}`,
          `http://category:${ports.category}`,
          `http://webhook:${ports.webhook}`,
        ],
      });
    }
  });

  it('drops every capability and writes nothing to the image file system', () => {
    for (const name of built) {
      expect({ name, read_only: services[name].read_only, cap_drop: services[name].cap_drop }).toEqual({
        name,
        read_only: true,
        cap_drop: ['ALL'],
      });
    }
  });
});

describe('docker-compose.dev.yml (the explicitly named development override)', () => {
  const base = loadCompose(at('docker-compose.yml'));
  const dev: ComposeFile = loadCompose(at('docker-compose.dev.yml'));
  // No issuer and no client secrets in the environment: the override must not need them.
  const { value: merged, errors } = interpolate(mergeCompose(base.data, dev), {});
  const services = merged.services as Record<string, Json>;

  it('starts without an issuer: the override replaces every required issuer setting', () => {
    expect(errors).toEqual([]);
  });

  it('is the one place with the HS256 development signer, in development mode', () => {
    for (const app of APPS) {
      const env = environmentOf(services[app]);
      expect({ app, NODE_ENV: env.NODE_ENV, secret: Boolean(env.AUTH_HS256_SECRET), jwks: env.AUTH_JWKS_URI }).toEqual({
        app,
        NODE_ENV: 'development',
        secret: true,
        jwks: '',
      });
      const config = LOADERS[app](env);
      expect(config.production).toBe(false);
      expect(config.auth.hs256Secret).toBe(env.AUTH_HS256_SECRET);
      expect(() => resolveAuthOptions(config.auth)).not.toThrow();
    }
  });

  it('lets the webhook service deliver to receivers on the host (host.docker.internal), and to nothing else internal', () => {
    const env = environmentOf(services.webhook);
    const config = loadWebhookConfig(env);
    expect(config.destinations.requireHttps).toBe(false);
    expect([...config.destinations.allowedHosts]).toEqual(['host.docker.internal']);
    for (const address of ['127.0.0.1', '10.0.0.5', '172.18.0.3', '169.254.169.254'])
      expect({ address, opened: config.destinations.allowedNetworks.check(address, 'ipv4') }).toEqual({ address, opened: false });
    // Docker Desktop defines the name; on Linux the override maps it to the host.
    expect(services.webhook.extra_hosts).toEqual(['host.docker.internal:host-gateway']);
    // The production file keeps the list empty; only the override opens the name.
    expect(environmentOf(loadCompose(at('docker-compose.yml')).data.services.webhook).WEBHOOK_ALLOWED_DESTINATIONS).toBe('');
  });

  it('binds everything it publishes to 127.0.0.1, replacing (not adding to) the gateway port of the default file', () => {
    expect(dev.overrides.has('services.gateway.ports')).toBe(true);
    const published = Object.entries(services).flatMap(([name, s]) =>
      ((s.ports ?? []) as Json[]).map((p) => ({ name, host: hostIpOf(p) })),
    );
    expect(published.map((p) => p.name).sort()).toEqual(['gateway', 'mongo']);
    for (const p of published) expect(p).toEqual({ name: p.name, host: '127.0.0.1' });
  });

  it('is named as development, and the default file never mentions the development secret as a setting', () => {
    expect(readFileSync(at('docker-compose.dev.yml'), 'utf8')).toMatch(/^# DEVELOPMENT ONLY/);
    expect(readFileSync(at('docker-compose.yml'), 'utf8')).not.toMatch(/AUTH_HS256_SECRET:/);
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = readFileSync(at('Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const finalStage = dockerfile.slice(dockerfile.map((l) => l.startsWith('FROM ')).lastIndexOf(true));

  it('builds on a current Node LTS line (22 or 24) in every stage', () => {
    const bases = dockerfile.filter((l) => l.startsWith('FROM ')).map((l) => l.split(/\s+/)[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const image of bases) expect(image).toMatch(/^node:(22|24)(\.\d+){0,2}(-[a-z0-9.-]+)?$/);
  });

  it('runs as the unprivileged user in production mode, with a HEALTHCHECK through the health endpoints', () => {
    expect(finalStage).toContain('USER node');
    expect(finalStage.find((l) => l.startsWith('ENV '))).toMatch(/NODE_ENV=production/);
    const healthcheck = finalStage.find((l) => l.startsWith('HEALTHCHECK '));
    expect(healthcheck).toBeDefined();
    const command = JSON.parse(healthcheck!.slice(healthcheck!.indexOf('CMD') + 3).trim()) as string[];
    expect(sourceOfCommand(command)).toBe('tools/healthcheck.ts');
    expect(readFileSync(at('tools/healthcheck.ts'), 'utf8')).toContain("'/health/ready'");
  });

  const patterns = dockerIgnorePatterns(at('.dockerignore'));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(at(dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (['node_modules', 'dist', '.git', 'coverage', '.data'].includes(e.name)) continue;
      if (e.isDirectory()) walk(rel);
      else files.push(rel);
    }
  };
  walk('');

  it('keeps every test, test helper and benchmark out of the build context', () => {
    const testCode = files.filter(
      (f) =>
        /\.(e2e-)?spec\.ts$/.test(f) ||
        /(^|\/)test\//.test(f) ||
        f.startsWith('libs/testing/') ||
        /(^|\/)bench\//.test(f) ||
        /test-support\.ts$/.test(f) ||
        f === 'jest.config.js' ||
        f === 'tools/jest-global-setup.js' ||
        f === 'tools/oidc-issuer.ts',
    );
    expect(testCode.length).toBeGreaterThan(50);
    expect(testCode.filter((f) => !dockerIgnored(patterns, f))).toEqual([]);
  });

  it('keeps in the build context every file the entry points of compose and Kubernetes import', () => {
    const compose = loadCompose(at('docker-compose.yml')).data.services as Record<string, Json>;
    const entries = new Set(Object.values(compose).flatMap((s) => (s.command?.[0] === 'node' ? [sourceOfCommand(s.command)] : [])));
    entries.add('tools/healthcheck.ts');
    const needed = new Set<string>(['package.json', 'package-lock.json', '.swcrc', 'tools/build.js']);
    const queue = [...entries];
    while (queue.length) {
      const file = queue.pop()!;
      if (needed.has(file)) continue;
      needed.add(file);
      expect({ file, exists: existsSync(at(file)) }).toEqual({ file, exists: true });
      for (const spec of readFileSync(at(file), 'utf8').matchAll(/(?:from|import|require\()\s*'(\.{1,2}\/[^']+|@suite\/[a-z-]+)'/g)) {
        const target = spec[1].startsWith('@suite/')
          ? `libs/${spec[1].slice('@suite/'.length)}/src/index.ts`
          : path.posix.normalize(path.posix.join(path.posix.dirname(file), spec[1]));
        const resolved = [target, `${target}.ts`, `${target}/index.ts`].find((c) =>
          c.endsWith('.ts') || c.endsWith('.json') ? existsSync(at(c)) : false,
        );
        if (resolved) queue.push(resolved);
      }
    }
    expect(needed.size).toBeGreaterThan(100);
    expect([...needed].filter((f) => dockerIgnored(patterns, f))).toEqual([]);
  });
});

describe('Kubernetes manifests (deploy/)', () => {
  const files = readdirSync(at('deploy')).filter((f) => f.endsWith('.yaml'));
  const kustomization = loadYamlDocuments(at('deploy/kustomization.yaml'))[0];
  const objects: Json[] = files.filter((f) => f !== 'kustomization.yaml').flatMap((f) => loadYamlDocuments(at('deploy', f)));
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
  const configMap = find('ConfigMap', 'commerce-suite-config');
  const readme = readFileSync(at('deploy/README.md'), 'utf8');

  it('lists every manifest in the kustomization, and every object has an apiVersion, a kind and a name', () => {
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
    for (const o of objects) expect(o).toEqual(expect.objectContaining({ apiVersion: expect.any(String), kind: expect.any(String) }));
    for (const o of objects) expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(kustomization.images).toEqual([expect.objectContaining({ name: 'commerce-suite', newTag: expect.any(String) })]);
  });

  /** The environment a container gets: the ConfigMap through envFrom, then its env; secrets as placeholders. */
  const envOf = (container: Json, data: Record<string, string>): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const from of container.envFrom ?? []) {
      expect(from.configMapRef.name).toBe('commerce-suite-config');
      Object.assign(env, data);
    }
    for (const e of container.env ?? []) {
      if (e.value !== undefined) env[e.name] = String(e.value);
      else if (e.valueFrom?.configMapKeyRef) env[e.name] = data[e.valueFrom.configMapKeyRef.key];
      else if (e.valueFrom?.secretKeyRef)
        env[e.name] = e.name === 'MONGODB_URI' ? 'mongodb://db.example.test:27017/?replicaSet=rs0' : 'a-secret';
    }
    return env;
  };

  for (const name of [...APPS, 'gateway'] as const) {
    describe(name, () => {
      const deployment = find('Deployment', name);
      const service = find('Service', name);
      const pdb = find('PodDisruptionBudget', name);
      const pod = deployment?.spec.template.spec;
      const container = pod?.containers.find((c: Json) => c.name === name);

      it('has a Deployment, a Service and a PodDisruptionBudget that select the same pods', () => {
        expect(deployment).toBeDefined();
        expect(service).toBeDefined();
        expect(pdb).toBeDefined();
        const labels = deployment.spec.template.metadata.labels;
        expect(labels).toEqual(expect.objectContaining(deployment.spec.selector.matchLabels));
        expect(labels).toEqual(expect.objectContaining(service.spec.selector));
        expect(labels).toEqual(expect.objectContaining(pdb.spec.selector.matchLabels));
        expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
        expect(pdb.spec.maxUnavailable ?? deployment.spec.replicas - pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
      });

      it('probes liveness on /health/live and readiness on /health/ready (the gateway: on its own liveness)', () => {
        const ports = new Set(container.ports.map((p: Json) => p.name));
        expect(container.livenessProbe.httpGet.path).toBe('/health/live');
        expect(container.readinessProbe.httpGet.path).toBe(name === 'gateway' ? '/health/live' : '/health/ready');
        for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe])
          expect(ports.has(probe.httpGet.port)).toBe(true);
        expect(ports.has(service.spec.ports[0].targetPort)).toBe(true);
      });

      it('requests CPU and memory and limits memory in every container', () => {
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          expect({ c: c.name, requests: c.resources.requests }).toEqual({
            c: c.name,
            requests: { cpu: expect.any(String), memory: expect.any(String) },
          });
          expect(c.resources.limits.memory).toEqual(expect.any(String));
        }
      });

      it('runs the image as a non-root user with a read-only root file system and no privilege escalation', () => {
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          expect(c.image).toMatch(/^commerce-suite:[\w.-]+$/);
          expect(c.securityContext).toEqual(expect.objectContaining({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true }));
        }
        expect(existsSync(at(sourceOfCommand(container.command)))).toBe(true);
      });
    });
  }

  describe.each(APPS)('%s environment', (app) => {
    const pod = find('Deployment', app).spec.template.spec;
    const container = pod.containers.find((c: Json) => c.name === app);
    const service = find('Service', app);

    it(
      isPublisher(app)
        ? 'is production mode with no HS256 secret, and its own client and peer'
        : 'is production mode with no HS256 secret and no client',
      () => {
        const env = envOf(container, configMap.data);
        expect(env.NODE_ENV).toBe('production');
        expect(Object.keys(env)).not.toContain('AUTH_HS256_SECRET');
        if (isPublisher(app)) expect(env.SERVICE_CLIENT_ID).toBe(app);
        else expect(CLIENT_SETTINGS.filter((n) => n in env)).toEqual([]);
        expect(env.WEBHOOK_ALLOWED_DESTINATIONS ?? '').toBe('');
        expect(service.spec.ports[0].port).toBe(Number(env.PORT));
        expect(container.ports[0].containerPort).toBe(Number(env.PORT));
      },
    );

    it('refuses to start until the issuer settings are filled in, naming exactly those', () => {
      const needed = Object.keys(ISSUER_ENV).filter((n) => SETTINGS[app].includes(n));
      expect(needed.length).toBeGreaterThanOrEqual(2);
      expect(() => LOADERS[app](envOf(container, configMap.data))).toThrow(
        expect.objectContaining({ problems: needed.map((n) => `${n} is required when NODE_ENV=production`) }),
      );
    });

    it('is a valid production configuration once the issuer settings are set', () => {
      const config = LOADERS[app](envOf(container, { ...configMap.data, ...ISSUER_ENV }));
      expect(config.production).toBe(true);
      expect(config.auth.jwksUri).toBe(ISSUER_ENV.AUTH_JWKS_URI);
      expect(() => resolveAuthOptions(config.auth)).not.toThrow();
      if (isPublisher(app)) {
        expect(config.auth).toEqual(expect.objectContaining({ clientId: app, tokenUrl: ISSUER_ENV.AUTH_TOKEN_URL }));
        expect(config.peers.webhookUrl).toBe(`http://webhook:${find('Service', 'webhook').spec.ports[0].port}`);
      }
    });

    it('migrates the indexes in an init container, against the same database, before the app starts', () => {
      const init = pod.initContainers.find((c: Json) => c.name === 'migrate');
      expect(sourceOfCommand(init.command)).toBe('tools/migrate.ts');
      const uri = (c: Json) => c.env.find((e: Json) => e.name === 'MONGODB_URI').valueFrom.secretKeyRef;
      expect(uri(init)).toEqual(uri(container));
    });
  });

  it('points the peer URLs of the ConfigMap at the Services, and gives the gateway every one of them', () => {
    const upstreams = [
      ['CUSTOMER_SEGMENT_URL', 'customer-segment'],
      ['COUPON_URL', 'coupon'],
      ['CATEGORY_URL', 'category'],
      ['WEBHOOK_URL', 'webhook'],
    ];
    for (const [variable, app] of upstreams) {
      expect(configMap.data[variable]).toBe(`http://${app}:${find('Service', app).spec.ports[0].port}`);
    }
    expect(Object.keys(configMap.data)).not.toContain('AUTH_HS256_SECRET');
    expect(configMap.data.WEBHOOK_ALLOWED_DESTINATIONS ?? '').toBe('');
    const gateway = find('Deployment', 'gateway').spec.template.spec.containers.find((c: Json) => c.name === 'gateway');
    const gatewayEnv = envOf(gateway, configMap.data);
    for (const [variable] of upstreams)
      expect({ variable, value: gatewayEnv[variable] }).toEqual({ variable, value: configMap.data[variable] });
  });

  it('documents in deploy/README.md every Secret the manifests read', () => {
    const refs = objects
      .filter((o) => o.kind === 'Deployment')
      .flatMap((d) => [...(d.spec.template.spec.initContainers ?? []), ...d.spec.template.spec.containers])
      .flatMap((c: Json) => (c.env ?? []).filter((e: Json) => e.valueFrom?.secretKeyRef).map((e: Json) => e.valueFrom.secretKeyRef));
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(readme).toContain(`kubectl create secret generic ${ref.name} --from-literal=${ref.key}=`);
  });
});
