import { ErrorDetail, isPlainObject, RequestRule } from '@suite/api-kit';
import { parsePatch } from './config-patch';
import { httpOnly, httpOnlyDetail, isSvixCode, isSvixProvider } from './config-errors';

// The checks of the validation step (ERR-10 step 6) that a DTO cannot make: the Svix refusal with
// its own message, entry ids on create, the path code against the body's. Unknown properties are
// dropped (ERR-7): the DTOs whitelist them away and the stored config is built field by field
// (config-entries.ts).

/** The Svix values of a request, each as a detail; thrown alone they keep the http-only message. */
function svixDetails(body: unknown, pathCode?: unknown): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  if (isSvixCode(pathCode)) out.push(httpOnlyDetail('code'));
  if (isPlainObject(body)) {
    if (isSvixCode(body.code) && !isSvixCode(pathCode)) out.push(httpOnlyDetail('code'));
    if (isSvixProvider(body.provider)) out.push(httpOnlyDetail('provider'));
  }
  return out;
}

/** `POST .../config`: http only; no entry id (ids are the server's). */
export const createConfigRule: RequestRule = ({ body }) => {
  const svix = svixDetails(body);
  if (svix.length) throw httpOnly(svix);
  if (!isPlainObject(body)) return [];
  const out: ErrorDetail[] = [];
  const entries = isPlainObject(body.configuration) ? body.configuration.eventsConfiguration : undefined;
  if (Array.isArray(entries)) {
    entries.forEach((e, k) => {
      if (isPlainObject(e) && e.id !== undefined && e.id !== null) {
        out.push({
          field: `configuration.eventsConfiguration[${k}].id`,
          type: 'read_only',
          message: 'entry ids are assigned by the server; omit id on create',
        });
      }
    });
  }
  return out;
};

/** `PUT .../config/{code}`: http only; a `code` in the body is the path's. */
export const replaceConfigRule: RequestRule = ({ params, body }) => {
  const svix = svixDetails(body, params.code);
  if (svix.length) throw httpOnly(svix);
  if (!isPlainObject(body) || body.code === undefined || body.code === params.code) return [];
  return [{ field: 'code', type: 'invalid_value', message: `must be the path’s code ${String(params.code)} (the code cannot change)` }];
};

/** `PATCH .../config/{code}`: http only; every operation parsed and its value judged (config-patch.ts). */
export const patchConfigRule: RequestRule = ({ params, body }) => {
  if (isSvixCode(params.code)) throw httpOnly([httpOnlyDetail('code')]);
  const { problems, svixOnly } = parsePatch(body);
  if (svixOnly) throw httpOnly(problems);
  return problems;
};
