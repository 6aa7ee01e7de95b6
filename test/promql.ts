// What the dashboard test needs to know about PromQL and the Prometheus text format: the
// metric names an expression reads, and the series names a /metrics page offers.

/** PromQL functions and aggregation operators (Prometheus 2.42 and later). */
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const FUNCTIONS = new Set([
  ...AGGREGATIONS,
  'abs', 'absent', 'absent_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min', 'day_of_month', 'day_of_week', 'day_of_year',
  'days_in_month', 'delta', 'deriv', 'exp', 'floor', 'histogram_count', 'histogram_sum', 'histogram_fraction', 'histogram_quantile',
  'histogram_stddev', 'histogram_stdvar', 'holt_winters', 'double_exponential_smoothing', 'hour', 'idelta', 'increase', 'irate', 'label_join',
  'label_replace', 'ln', 'log2', 'log10', 'minute', 'month', 'predict_linear', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sort', 'sort_desc',
  'sort_by_label', 'sort_by_label_desc', 'sqrt', 'time', 'timestamp', 'vector', 'year', 'avg_over_time', 'min_over_time', 'max_over_time',
  'sum_over_time', 'count_over_time', 'quantile_over_time', 'stddev_over_time', 'stdvar_over_time', 'last_over_time', 'present_over_time',
  'mad_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'deg', 'rad', 'pi',
  // the @ modifier's start() and end()
  'start', 'end',
]);
/** Keywords followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Other keywords and literals that look like identifiers. */
const KEYWORDS = new Set(['offset', 'bool', 'and', 'or', 'unless', 'atan2', 'inf', 'nan']);

export interface ExprNames {
  /** Metric names the expression selects, in order of appearance, without duplicates. */
  metrics: string[];
  /** Identifiers called like functions that PromQL does not know. */
  unknownFunctions: string[];
}

/** Index just past the string literal that opens at `i` (", ' or `; backslash escapes). */
function skipString(s: string, i: number): number {
  const quote = s[i];
  let j = i + 1;
  while (j < s.length && s[j] !== quote) j += s[j] === '\\' && quote !== '`' ? 2 : 1;
  return j + 1;
}

/** Index just past the bracket that closes the one at `i`, skipping string literals. */
function skipBalanced(s: string, i: number, open: string, close: string): number {
  let depth = 0;
  let j = i;
  while (j < s.length) {
    const c = s[j]!;
    if (c === '"' || c === "'" || c === '`') {
      j = skipString(s, j);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
    j++;
  }
  throw new Error(`unbalanced ${open} at ${i} in ${s}`);
}

/**
 * The metric names a PromQL expression reads. Grafana variables ($__rate_interval,
 * ${var}) are blanked first; label matchers ({...}), range and subquery brackets ([...]),
 * string and number literals, the label lists of by/without/on/ignoring/group_left/
 * group_right, functions, aggregation operators and keywords are not metric names. A
 * `{__name__="x"}` matcher names x.
 */
export function metricNamesOf(expr: string): ExprNames {
  const s = expr.replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, '0');
  const metrics: string[] = [];
  const unknownFunctions: string[] = [];
  const add = (list: string[], name: string): void => {
    if (!list.includes(name)) list.push(name);
  };
  const nextNonSpace = (j: number): number => {
    while (j < s.length && /\s/.test(s[j]!)) j++;
    return j;
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl + 1;
    } else if (c === '"' || c === "'" || c === '`') {
      i = skipString(s, i);
    } else if (c === '[') {
      i = skipBalanced(s, i, '[', ']');
    } else if (c === '{') {
      const end = skipBalanced(s, i, '{', '}');
      for (const m of s.slice(i, end).matchAll(/__name__\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) add(metrics, m[1] ?? m[2] ?? '');
      i = end;
    } else if (/[0-9.]/.test(c)) {
      // Numbers, durations (5m, 1h30m), exponents and hex literals.
      const m = /^[0-9.]+(?:[eE][+-]?[0-9]+)?[a-zA-Z0-9]*/.exec(s.slice(i));
      i += m ? m[0].length : 1;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const word = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s.slice(i))![0];
      const after = nextNonSpace(i + word.length);
      const lower = word.toLowerCase();
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        i = s[after] === '(' ? skipBalanced(s, after, '(', ')') : after;
      } else if (KEYWORDS.has(lower)) {
        i = after;
      } else if (AGGREGATIONS.has(word) && /^(by|without)\b/i.test(s.slice(after))) {
        // `sum by (le) (...)`: the label list is skipped next, then the parenthesised operand.
        i = after;
      } else if (s[after] === '(') {
        if (!FUNCTIONS.has(word)) add(unknownFunctions, word);
        i = after;
      } else {
        add(metrics, word);
        i = after;
      }
    } else {
      i++;
    }
  }
  return { metrics, unknownFunctions };
}

/** Metric families of a Prometheus text page, by name, with their type. */
export function familiesOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

/** The series names a query may select for these families: a histogram's _bucket, _sum and
 * _count, a summary's quantiles, _sum and _count, any other family's own name. */
export function seriesNamesOf(families: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [name, type] of families) {
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) out.add(name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) out.add(name + suffix);
    else out.add(name);
  }
  return out;
}

export interface DashboardPanel {
  title?: string;
  type?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: DashboardPanel[];
}

/** Every panel of a dashboard, those inside rows included (rows themselves excluded). */
export function panelsOf(dashboard: { panels?: DashboardPanel[] }): DashboardPanel[] {
  const out: DashboardPanel[] = [];
  const walk = (panels: DashboardPanel[] | undefined): void => {
    for (const p of panels ?? []) {
      if (p.type !== 'row') out.push(p);
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** What is wrong with the dashboard's queries given the series that exist: one line per
 * problem ("<panel>: <what>"). */
export function dashboardProblems(dashboard: { panels?: DashboardPanel[] }, series: Set<string>): string[] {
  const problems: string[] = [];
  for (const p of panelsOf(dashboard)) {
    const title = p.title ?? '(untitled)';
    const exprs = (p.targets ?? []).map((t) => t.expr ?? '');
    if (!exprs.length) problems.push(`${title}: no targets`);
    for (const expr of exprs) {
      if (!expr.trim()) problems.push(`${title}: a target without an expression`);
      const { metrics, unknownFunctions } = metricNamesOf(expr);
      if (expr.trim() && !metrics.length) problems.push(`${title}: reads no metric: ${expr}`);
      for (const m of metrics) if (!series.has(m)) problems.push(`${title}: no such metric ${m}`);
      for (const f of unknownFunctions) problems.push(`${title}: no such function ${f}`);
    }
  }
  return problems;
}
