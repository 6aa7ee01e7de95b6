// Label and field selectors, in Kubernetes' syntax and semantics.
import { InvalidError } from './errors.js';
import type { LabelSelector__Output } from './gen/shoal/v1/LabelSelector.js';

export type LabelOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** A parsed label selector: every requirement must hold (AND). Empty matches everything. */
export type LabelRequirements = LabelRequirement[];

const KEY = /^([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?)?$/;

function selectorError(selector: string, message: string): InvalidError {
  return new InvalidError([{ field: 'labelSelector', message: `Invalid value: ${JSON.stringify(selector)}: ${message}` }]);
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim());
}

/** Parses "app=web,tier in (a,b),!canary,env!=prod". Throws InvalidError naming the problem. */
export function parseLabelSelector(selector: string): LabelRequirements {
  const text = selector.trim();
  if (!text) return [];
  const requirements: LabelRequirements = [];
  for (const term of splitTerms(text)) {
    if (!term) throw selectorError(selector, 'empty term');
    let m: RegExpMatchArray | null;
    let req: LabelRequirement;
    if ((m = term.match(/^!\s*(\S+)$/))) {
      req = { key: m[1]!, operator: 'DoesNotExist', values: [] };
    } else if ((m = term.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      if (values.length === 1 && values[0] === '') throw selectorError(selector, `${m[2]} needs at least one value`);
      req = { key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values };
    } else if ((m = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      req = { key: m[1]!, operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]!] };
    } else if ((m = term.match(/^([^=!\s()]+)$/))) {
      req = { key: m[1]!, operator: 'Exists', values: [] };
    } else {
      throw selectorError(selector, `cannot parse ${JSON.stringify(term)}`);
    }
    if (!KEY.test(req.key)) throw selectorError(selector, `invalid label key ${JSON.stringify(req.key)}`);
    for (const v of req.values) {
      if (v.length > 63 || !VALUE.test(v)) throw selectorError(selector, `invalid label value ${JSON.stringify(v)}`);
    }
    requirements.push(req);
  }
  return requirements;
}

/** The requirements of a LabelSelector object (matchLabels and matchExpressions). */
export function labelSelectorRequirements(selector: LabelSelector__Output | null | undefined): LabelRequirements {
  if (!selector) return [];
  const reqs: LabelRequirements = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) reqs.push({ key, operator: 'In', values: [value] });
  for (const expr of selector.matchExpressions ?? []) {
    reqs.push({ key: expr.key ?? '', operator: (expr.operator ?? 'In') as LabelOperator, values: expr.values ?? [] });
  }
  return reqs;
}

/** Whether labels satisfy every requirement. */
export function matchesLabels(requirements: LabelRequirements, labels: Record<string, string> | null | undefined): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.operator) {
      case 'In':
        return has && r.values.includes(l[r.key]!);
      case 'NotIn':
        return !has || !r.values.includes(l[r.key]!);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
}

/** A LabelSelector object as selector text, as kubectl prints it ("app=nginx,tier in (a,b)"). */
export function formatLabelSelector(selector: LabelSelector__Output | null | undefined): string {
  return labelSelectorRequirements(selector)
    .map((r) => {
      switch (r.operator) {
        case 'In':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
        default:
          return '';
      }
    })
    .join(',');
}

export interface FieldRequirement {
  /** A dotted path such as metadata.name, spec.nodeName or status.phase. */
  field: string;
  equal: boolean;
  value: string;
}

/** Parses "metadata.name=x,spec.nodeName!=n1". Throws InvalidError naming the problem. */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  const text = selector.trim();
  if (!text) return [];
  return text.split(',').map((term) => {
    const m = term.trim().match(/^([A-Za-z][A-Za-z0-9.]*)\s*(==|=|!=)\s*(.*)$/);
    if (!m) {
      throw new InvalidError([{ field: 'fieldSelector', message: `Invalid value: ${JSON.stringify(selector)}: cannot parse ${JSON.stringify(term)}` }]);
    }
    return { field: m[1]!, equal: m[2] !== '!=', value: m[3]!.trim() };
  });
}

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return JSON.stringify(cur);
}

/** Whether an object satisfies every field requirement; an absent field reads as "". */
export function matchesFields(requirements: FieldRequirement[], obj: unknown): boolean {
  return requirements.every((r) => (fieldValue(obj, r.field) === r.value) === r.equal);
}
