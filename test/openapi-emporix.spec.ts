/**
 * Each committed OpenAPI document against the Emporix operation lists of its contract in
 * `../shared/spec/` (next to the repository): every operation the contract's operation index names
 * exists with the same method and path (path parameter names included), and every request field
 * the contract marks as required is required in the operation's request body schema.
 *
 * Required fields are read from the contract text, not restated here: an operation section's body
 * description ("`name` and `siteCode` required", `{"customerId": string (required)}`, "plus
 * mandatory `metadata.version`", "also carry `id`"), the sections it points to ("Body: 4.2",
 * "(§3.1)", "section 3.5", "the same fields as create", a named body schema such as
 * `redemption-creation`) and their tables (a column named after the operation's method, a
 * "Required in request" column, or `**required**` cells).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DOCUMENTED_SERVICES, DocumentedService, openApiFile, ROOT } from '../tools/openapi';

const SPEC_DIR = path.resolve(ROOT, '..', 'shared', 'spec');

type Json = Record<string, any>;

interface SpecOperation {
  method: string;
  path: string;
}

interface Section {
  number: string;
  heading: string;
  level: number;
  text: string;
  operation?: SpecOperation;
}

/** Required request fields of one operation: dotted paths; `items` when they apply to array elements. */
interface RequiredFields {
  fields: Set<string>;
  items: boolean;
}

const opKey = (o: SpecOperation) => `${o.method} ${o.path}`;
const normalize = (p: string) => p.replace(/\{[^}]+\}/g, '{}');

/** The operation index: every table with a "method" and a "path" column. */
export function parseOperationIndex(markdown: string, service: string): SpecOperation[] {
  const ops: SpecOperation[] = [];
  for (const table of tables(markdown)) {
    const header = table.header.map((h) => h.toLowerCase());
    const m = header.indexOf('method');
    const p = header.indexOf('path');
    if (m < 0 || p < 0) continue;
    for (const row of table.rows) {
      const method = row[m]?.replace(/[`*]/g, '').trim().toUpperCase();
      const rel = /`([^`]+)`/.exec(row[p] ?? '')?.[1];
      if (method && rel) ops.push({ method, path: absolute(rel, service) });
    }
  }
  return ops;
}

function absolute(rel: string, service: string): string {
  const p = rel.trim().split(/\s+/)[0];
  return p.startsWith(`/${service}/`) ? p : `/${service}/{tenant}${p}`;
}

function tables(markdown: string): { header: string[]; rows: string[][]; at: number }[] {
  const lines = markdown.split('\n');
  const found: { header: string[]; rows: string[][]; at: number }[] = [];
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].trim().startsWith('|') || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1])) continue;
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j].trim().startsWith('|'); j++) rows.push(cells(lines[j]));
    found.push({ header: cells(lines[i]), rows, at: i });
    i = j;
  }
  return found;
}

/** Sections by heading; an operation section's heading names its method and path. */
function sections(markdown: string, service: string): Section[] {
  const lines = markdown.split('\n');
  const out: Section[] = [];
  let current: Section | undefined;
  for (const line of lines) {
    const h = /^(#{2,4})\s+(.*)$/.exec(line);
    if (h) {
      const heading = h[2];
      const number = /^(\d+(?:\.\d+)*)/.exec(heading)?.[1] ?? '';
      const op = /`?\b(GET|POST|PUT|PATCH|DELETE)\b`?\s*`?(\/[^`\s]*)`/.exec(heading);
      current = {
        number,
        heading,
        level: h[1].length,
        text: '',
        operation: op ? { method: op[1], path: absolute(op[2], service) } : undefined,
      };
      out.push(current);
    } else if (current) {
      current.text += `${line}\n`;
    }
  }
  return out;
}

/** The body description of an operation section: its "Body" paragraph (with sub-bullets) and any "Body validation" block. */
function bodyText(section: Section): string {
  const parts: string[] = [];
  const lines = section.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*(?:[*-]\s+)?(?:\*\*)?Body\b/.test(lines[i]) && !/\bBody:/.test(lines[i])) continue;
    const start = lines[i].slice(lines[i].search(/Body/));
    const block = [start];
    const bulleted = /^\s*[*-]\s+/.test(lines[i]);
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j];
      if (l.trim() === '') {
        // "Body validation:" is followed by a blank line and its bullet list.
        if (/^Body validation/.test(start) && j + 1 < lines.length && /^\s*[*-]\s+/.test(lines[j + 1])) continue;
        break;
      }
      if (bulleted && /^[*-]\s+/.test(l)) break;
      if (/^```/.test(l)) break;
      block.push(l.trim());
    }
    parts.push(block.join(' '));
  }
  return parts.join(' ');
}

const FIELD = '`([A-Za-z_][\\w.]*)`';

/** Field names the text itself states as required (not conditionally: "required for `add`", "required when …" are not). */
function statedRequired(text: string): string[] {
  const names: string[] = [];
  // `{"customerId": string (required)}`
  for (const m of text.matchAll(/"(\w+)"\s*:\s*\w+\s*\(required\b/g)) names.push(m[1]);
  // "plus mandatory `metadata.version`", "also carry `id`"
  for (const m of text.matchAll(new RegExp(`(?:mandatory|also carry)\\s+${FIELD}`, 'g'))) names.push(m[1]);
  // "`name` and `siteCode` required", "`op` and `path` are required", "`ref`, `ref.id`, `ref.type` required"
  for (const stripped of text.replace(/\([^)]*\)/g, '').split(/;|\.\s|:\s/)) {
    for (const m of stripped.matchAll(
      /((?:`[A-Za-z_][\w.]*`(?:\s*,\s*|\s+and\s+|\s*)){1,})\s*(?:are\s+|is\s+)?required\b(?!\s+(?:for\s+`|when|if|unless))/g,
    )) {
      if (/\b(?:not|no)\s*$/.test(stripped.slice(0, m.index))) continue;
      for (const f of m[1].matchAll(new RegExp(FIELD, 'g'))) names.push(f[1]);
    }
  }
  return names;
}

/** Required fields of a referenced data-model section's tables, for an operation with this method. */
function tableRequired(section: Section, method: string): string[] {
  const names: string[] = [];
  for (const table of tables(section.text)) {
    const header = table.header.map((h) => h.replace(/[*`]/g, '').trim());
    const byMethod = header.findIndex((h) => h.toUpperCase() === method);
    const inRequest = header.findIndex((h) => /^required in request$/i.test(h));
    for (const row of table.rows) {
      const field = /^`([^`]+)`/.exec(row[0] ?? '')?.[1];
      if (!field) continue;
      const required =
        byMethod >= 0
          ? /^\*\*required\*\*/.test(row[byMethod] ?? '')
          : inRequest >= 0
            ? /^\*\*yes\*\*$/i.test(row[inRequest] ?? '')
            : header.some((h, i) => !/^(?:GET|POST|PUT|PATCH|DELETE)$/.test(h) && /^\*\*required\*\*/.test(row[i] ?? ''));
      if (required) names.push(field);
    }
  }
  return names;
}

/** Every operation's required request fields, as the contract states them. */
export function parseRequiredFields(markdown: string, service: string): Map<string, RequiredFields> {
  const all = sections(markdown, service);
  const byNumber = new Map(all.filter((s) => s.number).map((s) => [s.number, s]));
  const byOp = new Map(all.filter((s) => s.operation).map((s) => [opKey(s.operation!), s]));
  const result = new Map<string, RequiredFields>();

  const resolve = (section: Section, method: string, seen: Set<string>): RequiredFields => {
    const key = section.operation ? opKey(section.operation) : section.number;
    if (seen.has(key)) return { fields: new Set(), items: false };
    seen.add(key);
    const text = bodyText(section);
    const afterBody = text.replace(/^Body:?\s*(?:\(optional[^)]*\):?\s*)?/, '');
    const items = /^(?:a\s+)?(?:non-empty\s+)?(?:JSON\s+)?array\b/i.test(afterBody);
    const fields = new Set(statedRequired(text));
    const refs = new Set<Section>();
    for (const m of text.matchAll(/(?:§|section\s+|Body:?\s+|subset of\s+)(\d+\.\d+)/g)) {
      const s = byNumber.get(m[1]);
      if (s) refs.add(s);
    }
    // A named body schema (`redemption-creation`) defined in a data-model section.
    for (const m of text.matchAll(/`([a-z]+(?:-[a-z]+)+)`/g)) {
      for (const s of all) if (!s.operation && s.text.includes(`(\`${m[1]}\`)`)) refs.add(s);
    }
    // "the same fields as create", "same required fields as POST": the create operation of the collection.
    if (/same (?:required )?fields as (?:create|POST)/.test(text) && section.operation) {
      const create = byOp.get(`POST ${section.operation.path.replace(/\/\{[^}]+\}$/, '')}`);
      if (create) refs.add(create);
    }
    for (const ref of refs) {
      if (ref.operation) resolve(ref, ref.operation.method, seen).fields.forEach((f) => fields.add(f));
      else tableRequired(ref, method).forEach((f) => fields.add(f));
    }
    return { fields, items };
  };

  for (const section of all) {
    if (!section.operation) continue;
    const req = resolve(section, section.operation.method, new Set());
    if (req.fields.size) result.set(opKey(section.operation), req);
  }
  return result;
}

function deref(doc: Json, schema: Json | undefined): Json | undefined {
  let s = schema;
  for (let i = 0; s?.$ref && i < 20; i++) s = doc.components?.schemas?.[String(s.$ref).replace('#/components/schemas/', '')];
  if (s?.allOf) {
    const parts = (s.allOf as Json[]).map((p) => deref(doc, p) ?? {});
    return {
      ...s,
      required: [...new Set([...(s.required ?? []), ...parts.flatMap((p) => p.required ?? [])])],
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), s.properties ?? {}),
    };
  }
  return s;
}

/** What the document's request body lacks of the contract's required fields, one line each. */
function missingRequired(doc: Json, op: SpecOperation, req: RequiredFields): string[] {
  const operation = doc.paths?.[op.path]?.[op.method.toLowerCase()];
  if (!operation) return [];
  const content = operation.requestBody?.content ?? {};
  const media = content['application/json'] ?? Object.values<Json>(content)[0];
  let schema = deref(doc, media?.schema);
  const where = opKey(op);
  if (!schema) return [`${where}: no request body schema; the contract requires ${[...req.fields].join(', ')}`];
  if (req.items) {
    if (schema.type !== 'array') return [`${where}: the contract's body is an array, the document's is not`];
    schema = deref(doc, schema.items);
  }
  const problems: string[] = [];
  for (const field of req.fields) {
    let s: Json | undefined = schema;
    const parts = field.split('.');
    for (const [i, name] of parts.entries()) {
      if (!s || !(s.required ?? []).includes(name)) {
        problems.push(`${where}: ${req.items ? 'each element needs ' : ''}${parts.slice(0, i + 1).join('.')} required`);
        break;
      }
      s = deref(doc, s.properties?.[name]);
      if (s?.type === 'array') s = deref(doc, s.items);
    }
  }
  return problems;
}

describe.each(DOCUMENTED_SERVICES)('openapi/%s.json against the Emporix operation list in shared/spec', (service: DocumentedService) => {
  // The webhook service's contract is written with the service (shared/spec/README.md, "Changes").
  const specFile = service === 'webhook' ? path.join(ROOT, 'apps', 'webhook', 'README.md') : path.join(SPEC_DIR, `${service}.md`);
  let markdown: string;
  let doc: Json;
  let operations: SpecOperation[];

  beforeAll(() => {
    if (!existsSync(specFile))
      throw new Error(`contract not found: ${specFile} (the shared spec sits next to the repository, in ../shared/spec)`);
    markdown = readFileSync(specFile, 'utf8');
    doc = JSON.parse(readFileSync(openApiFile(service), 'utf8')) as Json;
    operations = parseOperationIndex(markdown, service);
  });

  it('reads the whole operation index of the contract', () => {
    const stated = /Operation index \((\d+) operations\)/.exec(markdown)?.[1];
    expect(operations.length).toBeGreaterThan(10);
    if (stated) expect(operations).toHaveLength(Number(stated));
    expect(new Set(operations.map(opKey)).size).toBe(operations.length);
  });

  it('documents every operation of the contract with the same method and path', () => {
    const documented = new Set<string>();
    for (const [p, item] of Object.entries<Json>(doc.paths))
      for (const m of Object.keys(item)) documented.add(`${m.toUpperCase()} ${normalize(p)}`);
    const missing = operations.filter((o) => !documented.has(`${o.method} ${normalize(o.path)}`)).map(opKey);
    expect(missing).toEqual([]);
  });

  it('names path parameters as the contract does', () => {
    const templates = new Map<string, string>();
    for (const [p, item] of Object.entries<Json>(doc.paths))
      for (const m of Object.keys(item)) templates.set(`${m.toUpperCase()} ${normalize(p)}`, p);
    const renamed = operations
      .map((o) => ({ o, documented: templates.get(`${o.method} ${normalize(o.path)}`) }))
      .filter(({ o, documented }) => documented !== undefined && documented !== o.path)
      .map(({ o, documented }) => `${opKey(o)} is documented as ${documented}`);
    expect(renamed).toEqual([]);
  });

  it('requires every request field the contract requires', () => {
    const required = parseRequiredFields(markdown, service);
    // The contract does state required body fields; an empty result would mean the parser broke.
    expect(required.size).toBeGreaterThan(0);
    const problems = [...required.entries()].flatMap(([key, req]) => {
      const [method, p] = key.split(' ');
      return missingRequired(doc, { method, path: p }, req);
    });
    expect(problems).toEqual([]);
  });
});

describe('the contract parser', () => {
  it('finds the required fields the contracts state, in their different phrasings', () => {
    const read = (s: string) => readFileSync(path.join(SPEC_DIR, `${s}.md`), 'utf8');
    const facts = (s: DocumentedService) =>
      Object.fromEntries(
        [...parseRequiredFields(read(s), s)].map(([k, v]) => [k, `${v.items ? '[] ' : ''}${[...v.fields].sort().join(' ')}`]),
      );
    const segment = facts('customer-segment');
    expect(segment).toMatchObject({
      'POST /customer-segment/{tenant}/segments': 'name siteCode',
      'PUT /customer-segment/{tenant}/segments/{segmentId}': 'name siteCode',
      'POST /customer-segment/{tenant}/segments/bulk': '[] name siteCode',
      'PUT /customer-segment/{tenant}/segments/bulk': '[] id name siteCode',
      'PATCH /customer-segment/{tenant}/segments/{segmentId}': '[] op path',
      'POST /customer-segment/{tenant}/segments/match': 'items segmentIds',
      'PUT /customer-segment/{tenant}/segments/{segmentId}/customers/bulk': '[] customerId',
      'PUT /customer-segment/{tenant}/segments/{segmentId}/items/{type}/bulk': '[] id',
    });
    expect(facts('coupon')).toMatchObject({
      'POST /coupon/{tenant}/coupons': 'name',
      'PUT /coupon/{tenant}/coupons/{code}': 'discountType name',
      'POST /coupon/{tenant}/coupons/{code}/validation': 'discount orderTotal',
      'POST /coupon/{tenant}/coupons/{code}/redemptions': 'discount orderTotal',
    });
    expect(facts('category')).toMatchObject({
      'POST /category/{tenant}/categories': 'localizedName published',
      'PUT /category/{tenant}/categories/{categoryId}': 'localizedName published',
      'PATCH /category/{tenant}/categories/{categoryId}': 'metadata.version',
      'POST /category/{tenant}/categories/{categoryId}/assignments': 'ref ref.id ref.type',
    });
  });
});
