import type { ErrorProfile } from '../http/error-profiles';

/** The one security scheme of every document: OAuth2 bearer JWTs carrying the service's scopes. */
export const SECURITY_SCHEME = 'OAuth2';

/** Per-service parts of the OpenAPI document (`ApiKitModule.forRoot({ openapi })`); all optional. */
export interface OpenApiOptions {
  /** Default: the service name in words plus "API", e.g. "Customer Segment API". */
  title?: string;
  /** Markdown; default: one line naming the service and its contract. */
  description?: string;
  /** Default: the `version` of the repository's package.json. */
  version?: string;
  /**
   * The service's scopes with what each grants. Scopes that routes require are listed even without
   * an entry here; input-dependent scopes (checked in services) appear only through this map.
   */
  scopes?: Record<string, string>;
  /** Descriptions of the tags the controllers use (`@ApiTags`), by tag name. */
  tags?: Record<string, string>;
  /** Token endpoint of the client-credentials flow; default `/oauth/token`. */
  tokenUrl?: string;
}

/** What the document builder needs to know about the application. */
export interface OpenApiSettings extends OpenApiOptions {
  service: string;
  errorProfile: ErrorProfile;
}

/** Provided by ApiKitModule; readable in a preview application too (a value provider). */
export const OPENAPI_SETTINGS = Symbol.for('suite.openapiSettings');

/** The two documentation routes of a service (conventions AUTH-8 lets them be `@Public()`). */
export function documentationPaths(service: string): { document: string; reference: string } {
  return { document: `/${service}/openapi.json`, reference: `/${service}/docs` };
}
