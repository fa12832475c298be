/**
 * Parser for the Sql transform's query language: one SELECT over one table, with expressions and a
 * WHERE clause (SeaTunnel's Zeta SQL engine accepts the same subset). Hand-written rather than
 * node-sql-parser: that library (5.4) builds `a OR b AND c` as `(a OR b) AND c` in its PostgreSQL
 * dialect (and other dialects get other mixes wrong), which would silently change which rows a
 * WHERE keeps. Every node carries its source offsets, so errors point at line and column and
 * unnamed output columns take their text from the query, as SeaTunnel names them.
 */

export class SqlSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number,
    /** Set for a construct the transform recognises but does not support (JOIN, GROUP BY, ...). */
    readonly unsupported?: string,
  ) {
    super(detail);
    this.name = 'SqlSyntaxError';
  }
}

// ------------------------------------------------------------------ tokens

type TokenKind = 'ident' | 'quoted' | 'string' | 'number' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier text as written (unquoted), string contents (unescaped), number text, operator. */
  text: string;
  /** Upper-case text for identifiers (keyword matching). */
  upper: string;
  start: number;
  end: number;
}

const OPERATORS = [
  '<=>',
  '<>',
  '!=',
  '<=',
  '>=',
  '||',
  '::',
  '(',
  ')',
  ',',
  '.',
  '[',
  ']',
  '+',
  '-',
  '*',
  '/',
  '%',
  '=',
  '<',
  '>',
  ';',
];

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const push = (kind: TokenKind, value: string, start: number) =>
    tokens.push({ kind, text: value, upper: kind === 'ident' ? value.toUpperCase() : value, start, end: pos });
  while (pos < text.length) {
    const ch = text[pos]!;
    if (/\s/.test(ch)) {
      pos++;
      continue;
    }
    if (ch === '-' && text[pos + 1] === '-') {
      while (pos < text.length && text[pos] !== '\n') pos++;
      continue;
    }
    if (ch === '/' && text[pos + 1] === '*') {
      const end = text.indexOf('*/', pos + 2);
      if (end < 0) throw new SqlSyntaxError('unterminated comment', pos);
      pos = end + 2;
      continue;
    }
    const start = pos;
    if (ch === "'" || ch === '"' || ch === '`') {
      // A quote doubled inside the literal stands for itself ('it''s').
      let value = '';
      pos++;
      for (;;) {
        if (pos >= text.length) {
          throw new SqlSyntaxError(ch === "'" ? 'unterminated string' : 'unterminated quoted name', start);
        }
        const c = text[pos]!;
        // In text literals \\ stands for one backslash, as in SeaTunnel's engine (its tests write
        // regexp_substr(s, '\\d{4}') for \d{4}); any other backslash is kept as written.
        if (ch === "'" && c === '\\' && text[pos + 1] === '\\') {
          value += '\\';
          pos += 2;
          continue;
        }
        if (c === ch) {
          if (text[pos + 1] === ch) {
            value += ch;
            pos += 2;
            continue;
          }
          pos++;
          break;
        }
        value += c;
        pos++;
      }
      push(ch === "'" ? 'string' : 'quoted', value, start);
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[pos + 1] ?? ''))) {
      while (pos < text.length && /[0-9]/.test(text[pos]!)) pos++;
      if (text[pos] === '.' && /[0-9]/.test(text[pos + 1] ?? '')) {
        pos++;
        while (pos < text.length && /[0-9]/.test(text[pos]!)) pos++;
      } else if (text[pos] === '.' && !/[A-Za-z_]/.test(text[pos + 1] ?? '')) {
        pos++; // "1." is a number
      }
      if (
        /[eE]/.test(text[pos] ?? '') &&
        /[0-9]/.test(text[pos + 1] === '+' || text[pos + 1] === '-' ? (text[pos + 2] ?? '') : (text[pos + 1] ?? ''))
      ) {
        pos += text[pos + 1] === '+' || text[pos + 1] === '-' ? 2 : 1;
        while (pos < text.length && /[0-9]/.test(text[pos]!)) pos++;
      }
      if (/[A-Za-z_]/.test(text[pos] ?? ''))
        throw new SqlSyntaxError(`malformed number "${text.slice(start, pos + 1)}"`, start);
      push('number', text.slice(start, pos), start);
      continue;
    }
    if (/[A-Za-z_$\u0080-\uffff]/.test(ch)) {
      while (pos < text.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[pos]!)) pos++;
      push('ident', text.slice(start, pos), start);
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, pos));
    if (!op) throw new SqlSyntaxError(`unexpected character "${ch}"`, pos);
    pos += op.length;
    push('op', op, start);
  }
  tokens.push({ kind: 'eof', text: '', upper: '', start: text.length, end: text.length });
  return tokens;
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

// ------------------------------------------------------------------ syntax tree

interface Span {
  start: number;
  end: number;
}

export type Expr =
  | (Span & { kind: 'null' })
  | (Span & { kind: 'boolean'; value: boolean })
  | (Span & { kind: 'number'; text: string })
  | (Span & { kind: 'string'; value: string })
  /** DATE '2024-01-02', TIME '...', TIMESTAMP '...' */
  | (Span & { kind: 'typed'; type: 'date' | 'time' | 'timestamp'; value: string })
  /** Column or nested field path as written: ["c_row", "c_int"], or with the table name first. */
  | (Span & { kind: 'column'; path: string[] })
  | (Span & { kind: 'index'; target: Expr; index: Expr })
  | (Span & { kind: 'unary'; op: '-' | '+' | 'NOT'; arg: Expr })
  | (Span & { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr })
  | (Span & { kind: 'is'; arg: Expr; not: boolean; what: 'NULL' | 'TRUE' | 'FALSE' })
  | (Span & { kind: 'in'; arg: Expr; list: Expr[]; not: boolean })
  | (Span & { kind: 'between'; arg: Expr; low: Expr; high: Expr; not: boolean })
  | (Span & { kind: 'like'; arg: Expr; pattern: Expr; escape?: Expr; not: boolean; ignoreCase: boolean })
  | (Span & { kind: 'case'; operand?: Expr; whens: { when: Expr; then: Expr }[]; otherwise?: Expr })
  | (Span & { kind: 'cast'; arg: Expr; typeText: string; typeStart: number; try: boolean })
  | (Span & { kind: 'call'; name: string; nameText: string; args: Expr[] })
  | (Span & { kind: 'extract'; field: string; arg: Expr })
  | (Span & { kind: 'interval'; value: Expr; unit: string });

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '||' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR';

export type SelectItem =
  (Span & { kind: 'star'; qualifier?: string[] }) | (Span & { kind: 'expr'; expr: Expr; alias?: string });

export interface SelectQuery {
  items: SelectItem[];
  /** The FROM table as written (parts of a dotted name), its alias if any. */
  table: { parts: string[]; alias?: string; start: number };
  where?: Expr;
}

/** Words that end an expression or cannot be a bare alias. */
const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IS',
  'NULL',
  'IN',
  'BETWEEN',
  'LIKE',
  'ILIKE',
  'ESCAPE',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'AS',
  'TRUE',
  'FALSE',
  'GROUP',
  'ORDER',
  'BY',
  'HAVING',
  'LIMIT',
  'OFFSET',
  'FETCH',
  'UNION',
  'INTERSECT',
  'EXCEPT',
  'MINUS',
  'JOIN',
  'INNER',
  'LEFT',
  'RIGHT',
  'FULL',
  'OUTER',
  'CROSS',
  'NATURAL',
  'ON',
  'USING',
  'WINDOW',
  'LATERAL',
  'DISTINCT',
  'ALL',
  'OVER',
  'QUALIFY',
  'WITH',
  'INTO',
  'FOR',
]);

const AGGREGATES = new Set([
  'COUNT',
  'SUM',
  'AVG',
  'MIN',
  'MAX',
  'STDDEV',
  'STDDEV_POP',
  'STDDEV_SAMP',
  'VARIANCE',
  'VAR_POP',
  'VAR_SAMP',
  'GROUP_CONCAT',
  'STRING_AGG',
  'LISTAGG',
  'ARRAY_AGG',
  'COLLECT_LIST',
  'COLLECT_SET',
  'BIT_AND',
  'BIT_OR',
  'BOOL_AND',
  'BOOL_OR',
  'EVERY',
  'MEDIAN',
  'PERCENTILE_CONT',
  'PERCENTILE_DISC',
  'ANY_VALUE',
  'FIRST_VALUE',
  'LAST_VALUE',
]);

const WINDOW_ONLY = new Set([
  'ROW_NUMBER',
  'RANK',
  'DENSE_RANK',
  'NTILE',
  'LAG',
  'LEAD',
  'PERCENT_RANK',
  'CUME_DIST',
  'NTH_VALUE',
]);

const UNSUPPORTED_TAIL: Record<string, string> = {
  JOIN: 'JOIN',
  INNER: 'JOIN',
  LEFT: 'JOIN',
  RIGHT: 'JOIN',
  FULL: 'JOIN',
  CROSS: 'JOIN',
  NATURAL: 'JOIN',
  GROUP: 'GROUP BY',
  HAVING: 'HAVING',
  ORDER: 'ORDER BY',
  LIMIT: 'LIMIT',
  OFFSET: 'OFFSET',
  FETCH: 'FETCH',
  UNION: 'UNION',
  INTERSECT: 'INTERSECT',
  EXCEPT: 'EXCEPT',
  MINUS: 'MINUS',
  WINDOW: 'WINDOW',
  LATERAL: 'LATERAL VIEW',
  QUALIFY: 'QUALIFY',
  INTO: 'SELECT INTO',
  FOR: 'FOR UPDATE',
};

export function parseSelect(text: string): SelectQuery {
  return new Parser(text).query();
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  // ---------------------------------------------------------------- helpers

  private get token(): Token {
    return this.tokens[this.i]!;
  }

  private peek(ahead = 1): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.token;
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isWord(word: string, t = this.token): boolean {
    return t.kind === 'ident' && t.upper === word;
  }

  private isOp(op: string, t = this.token): boolean {
    return t.kind === 'op' && t.text === op;
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }

  private acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.i++;
    return true;
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'the end of the query';
    if (t.kind === 'string') return `'${t.text}'`;
    if (t.kind === 'quoted') return `"${t.text}"`;
    return `"${t.text}"`;
  }

  private fail(expected: string, t = this.token): never {
    throw new SqlSyntaxError(`expected ${expected} but found ${this.describe(t)}`, t.start);
  }

  private unsupported(construct: string, t = this.token): never {
    throw new SqlSyntaxError(`uses ${construct}`, t.start, construct);
  }

  private expectOp(op: string): Token {
    if (!this.isOp(op)) this.fail(`"${op}"`);
    return this.next();
  }

  private expectWord(word: string): Token {
    if (!this.isWord(word)) this.fail(word);
    return this.next();
  }

  /** An identifier (plain, "quoted" or `quoted`); plain ones may not be reserved words. */
  private name(what: string): Token {
    const t = this.token;
    if (t.kind === 'quoted' || (t.kind === 'ident' && !RESERVED.has(t.upper))) return this.next();
    return this.fail(what);
  }

  private end(): number {
    return this.tokens[this.i - 1]?.end ?? 0;
  }

  // ---------------------------------------------------------------- statement

  query(): SelectQuery {
    if (this.isWord('WITH')) this.unsupported('WITH (common table expressions)');
    if (!this.isWord('SELECT')) {
      if (this.token.kind === 'ident') {
        throw new SqlSyntaxError(`must be a SELECT statement, not ${this.token.upper}`, this.token.start);
      }
      this.fail('SELECT');
    }
    this.next();
    if (this.isWord('DISTINCT')) this.unsupported('DISTINCT');
    this.acceptWord('ALL');
    const items: SelectItem[] = [];
    do items.push(this.selectItem());
    while (this.acceptOp(','));
    if (!this.isWord('FROM')) {
      if (this.token.kind === 'eof') this.fail('FROM <table>');
      this.fail('"," or FROM');
    }
    this.next();
    const table = this.tableRef();
    let where: Expr | undefined;
    if (this.acceptWord('WHERE')) where = this.expr();
    this.trailing();
    return { items, table, where };
  }

  private selectItem(): SelectItem {
    const start = this.token.start;
    if (this.acceptOp('*')) return { kind: 'star', start, end: this.end() };
    // t.* or db.t.*
    if ((this.token.kind === 'ident' || this.token.kind === 'quoted') && this.isOp('.', this.peek())) {
      let k = 0;
      while ((this.peek(k).kind === 'ident' || this.peek(k).kind === 'quoted') && this.isOp('.', this.peek(k + 1))) {
        if (this.isOp('*', this.peek(k + 2))) {
          const qualifier: string[] = [];
          for (let n = 0; n <= k; n += 2) qualifier.push(this.peek(n).text);
          this.i += k + 3;
          return { kind: 'star', qualifier, start, end: this.end() };
        }
        k += 2;
      }
    }
    const expr = this.expr();
    const end = this.end();
    let alias: string | undefined;
    if (this.acceptWord('AS')) {
      const t = this.token;
      if (t.kind === 'string' || t.kind === 'quoted' || t.kind === 'ident') alias = this.next().text;
      else this.fail('an alias after AS');
    } else if (this.token.kind === 'quoted' || (this.token.kind === 'ident' && !RESERVED.has(this.token.upper))) {
      alias = this.next().text;
    } else if (this.token.kind === 'string') {
      alias = this.next().text;
    }
    return { kind: 'expr', expr, alias, start, end };
  }

  private tableRef(): SelectQuery['table'] {
    const start = this.token.start;
    if (this.isOp('(')) {
      if (this.isWord('SELECT', this.peek())) this.unsupported('a subquery in FROM', this.peek());
      this.fail('a table name');
    }
    const parts = [this.name('a table name').text];
    while (this.acceptOp('.')) parts.push(this.name('a table name').text);
    let alias: string | undefined;
    if (this.acceptWord('AS')) alias = this.name('a table alias').text;
    else if (this.token.kind === 'quoted' || (this.token.kind === 'ident' && !RESERVED.has(this.token.upper))) {
      alias = this.next().text;
    }
    if (this.isOp(',')) this.unsupported('JOIN (a second table in FROM)');
    return { parts, alias, start };
  }

  private trailing(): void {
    const t = this.token;
    if (t.kind === 'ident' && UNSUPPORTED_TAIL[t.upper]) this.unsupported(UNSUPPORTED_TAIL[t.upper]!);
    if (this.isOp(';')) {
      this.next();
      if (this.token.kind !== 'eof') {
        throw new SqlSyntaxError('holds more than one statement; write one SELECT', this.token.start);
      }
      return;
    }
    if (t.kind !== 'eof') this.fail('the end of the query');
  }

  // ---------------------------------------------------------------- expressions

  expr(): Expr {
    return this.or();
  }

  private or(): Expr {
    let left = this.and();
    while (this.isWord('OR')) {
      this.next();
      const right = this.and();
      left = { kind: 'binary', op: 'OR', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isWord('AND')) {
      this.next();
      const right = this.not();
      left = { kind: 'binary', op: 'AND', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private not(): Expr {
    if (this.isWord('NOT')) {
      const start = this.next().start;
      const arg = this.not();
      return { kind: 'unary', op: 'NOT', arg, start, end: arg.end };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    const left = this.concat();
    const start = left.start;
    const t = this.token;
    if (t.kind === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>=', '<=>'].includes(t.text)) {
      if (t.text === '<=>') this.unsupported('the <=> operator (use IS NULL checks with =)');
      this.next();
      if (this.isWord('ANY') || this.isWord('ALL') || this.isWord('SOME'))
        this.unsupported(`${this.token.upper} (subquery comparison)`);
      const right = this.concat();
      const op = (t.text === '!=' ? '<>' : t.text) as BinaryOp;
      return this.predicateTail({ kind: 'binary', op, left, right, start, end: right.end });
    }
    return this.predicateTail(left);
  }

  /** IS / IN / BETWEEN / LIKE after an operand (also after a comparison: `a = b IS NULL` is rare but legal). */
  private predicateTail(left: Expr): Expr {
    const start = left.start;
    if (this.isWord('IS')) {
      this.next();
      const not = this.acceptWord('NOT');
      let what: 'NULL' | 'TRUE' | 'FALSE';
      if (this.acceptWord('NULL')) what = 'NULL';
      else if (this.acceptWord('TRUE')) what = 'TRUE';
      else if (this.acceptWord('FALSE')) what = 'FALSE';
      else if (this.isWord('DISTINCT')) this.unsupported('IS DISTINCT FROM');
      else this.fail('NULL, TRUE or FALSE after IS');
      return this.predicateTail({ kind: 'is', arg: left, not, what: what!, start, end: this.end() });
    }
    const not =
      this.isWord('NOT') &&
      ['IN', 'BETWEEN', 'LIKE', 'ILIKE'].includes(this.peek().upper) &&
      this.peek().kind === 'ident';
    if (not) this.next();
    if (this.acceptWord('IN')) {
      this.expectOp('(');
      if (this.isWord('SELECT')) this.unsupported('a subquery in IN');
      const list: Expr[] = [];
      do list.push(this.expr());
      while (this.acceptOp(','));
      this.expectOp(')');
      return { kind: 'in', arg: left, list, not, start, end: this.end() };
    }
    if (this.acceptWord('BETWEEN')) {
      this.acceptWord('SYMMETRIC');
      const low = this.concat();
      this.expectWord('AND');
      const high = this.concat();
      return { kind: 'between', arg: left, low, high, not, start, end: high.end };
    }
    if (this.isWord('LIKE') || this.isWord('ILIKE')) {
      const ignoreCase = this.next().upper === 'ILIKE';
      const pattern = this.concat();
      let escape: Expr | undefined;
      if (this.acceptWord('ESCAPE')) escape = this.concat();
      return { kind: 'like', arg: left, pattern, escape, not, ignoreCase, start, end: this.end() };
    }
    if (not) this.fail('IN, BETWEEN or LIKE after NOT');
    return left;
  }

  private concat(): Expr {
    let left = this.additive();
    while (this.isOp('||')) {
      this.next();
      const right = this.additive();
      left = { kind: 'binary', op: '||', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().text as '+' | '-';
      const right = this.multiplicative();
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.next().text as '*' | '/' | '%';
      const right = this.unary();
      left = { kind: 'binary', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp('-') || this.isOp('+')) {
      const t = this.next();
      const arg = this.unary();
      // Fold a sign into a number literal, so -2147483648 stays an int and -1.5 an exact literal.
      if (arg.kind === 'number' && t.text === '-')
        return { kind: 'number', text: `-${arg.text}`, start: t.start, end: arg.end };
      if (arg.kind === 'number') return { ...arg, start: t.start };
      return { kind: 'unary', op: t.text as '-' | '+', arg, start: t.start, end: arg.end };
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let expr = this.primary();
    for (;;) {
      if (this.isOp('[')) {
        this.next();
        const index = this.expr();
        this.expectOp(']');
        expr = { kind: 'index', target: expr, index, start: expr.start, end: this.end() };
      } else if (this.isOp('::')) {
        this.next();
        const typeStart = this.token.start;
        const typeText = this.typeText();
        expr = { kind: 'cast', arg: expr, typeText, typeStart, try: false, start: expr.start, end: this.end() };
      } else return expr;
    }
  }

  /** The text of a type name: a word with an optional (p, s) or <...> suffix. */
  private typeText(): string {
    const start = this.token.start;
    if (this.token.kind !== 'ident' && this.token.kind !== 'quoted') this.fail('a type name');
    this.next();
    // "double precision", "timestamp with time zone", "character varying"
    while (
      this.token.kind === 'ident' &&
      ['PRECISION', 'VARYING', 'WITH', 'WITHOUT', 'TIME', 'ZONE', 'LOCAL'].includes(this.token.upper)
    ) {
      this.next();
    }
    if (this.isOp('(') || this.isOp('<')) {
      const open = this.token.text;
      const close = open === '(' ? ')' : '>';
      let depth = 0;
      do {
        const t = this.next();
        if (t.kind === 'eof') this.fail(`"${close}"`, t);
        if (this.isOp(open, t)) depth++;
        else if (this.isOp(close, t)) depth--;
      } while (depth > 0);
    }
    return this.text.slice(start, this.end());
  }

  private primary(): Expr {
    const t = this.token;
    const start = t.start;
    switch (t.kind) {
      case 'number':
        this.next();
        return { kind: 'number', text: t.text, start, end: t.end };
      case 'string':
        this.next();
        return { kind: 'string', value: t.text, start, end: t.end };
      case 'quoted':
        return this.columnOrCall();
      case 'eof':
        return this.fail('an expression');
      case 'op':
        if (this.isOp('(')) {
          this.next();
          if (this.isWord('SELECT')) this.unsupported('a subquery');
          const inner = this.expr();
          if (this.isOp(',')) this.unsupported('a row value (a, b)');
          this.expectOp(')');
          return { ...inner, start, end: this.end() };
        }
        return this.fail('an expression');
      case 'ident':
        break;
    }
    switch (t.upper) {
      case 'NULL':
        this.next();
        return { kind: 'null', start, end: t.end };
      case 'TRUE':
      case 'FALSE':
        this.next();
        return { kind: 'boolean', value: t.upper === 'TRUE', start, end: t.end };
      case 'CASE':
        return this.caseExpr();
      case 'EXISTS':
        if (this.isOp('(', this.peek())) this.unsupported('EXISTS (a subquery)');
        break;
      case 'DATE':
      case 'TIME':
      case 'TIMESTAMP':
        if (this.peek().kind === 'string') {
          this.next();
          const value = this.next().text;
          return {
            kind: 'typed',
            type: t.upper.toLowerCase() as 'date' | 'time' | 'timestamp',
            value,
            start,
            end: this.end(),
          };
        }
        break;
      case 'INTERVAL': {
        this.next();
        const value = this.unary();
        const unit = this.token;
        if (unit.kind !== 'ident') this.fail('an interval unit (DAY, HOUR, ...)');
        this.next();
        return { kind: 'interval', value, unit: unit.upper, start, end: this.end() };
      }
      case 'CURRENT_DATE':
      case 'CURRENT_TIME':
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIME':
      case 'LOCALTIMESTAMP':
      case 'SYSDATE':
      case 'SYSTIMESTAMP':
        if (!this.isOp('(', this.peek())) {
          this.next();
          return { kind: 'call', name: t.upper, nameText: t.text, args: [], start, end: t.end };
        }
        break;
      case 'NOT':
        return this.not();
      default:
        if (RESERVED.has(t.upper) && !this.isOp('(', this.peek())) this.fail('an expression');
    }
    return this.columnOrCall();
  }

  private columnOrCall(): Expr {
    const first = this.next();
    const start = first.start;
    if (first.kind === 'ident' && this.isOp('(')) return this.call(first);
    const path = [first.text];
    while (this.isOp('.')) {
      this.next();
      const part = this.token;
      if (part.kind !== 'ident' && part.kind !== 'quoted') this.fail('a field name after "."');
      this.next();
      if (part.kind === 'ident' && this.isOp('(')) {
        throw new SqlSyntaxError(
          `calls ${path.join('.')}.${part.text}(...): qualified function names are not supported`,
          start,
        );
      }
      path.push(part.text);
    }
    return { kind: 'column', path, start, end: this.end() };
  }

  private call(nameToken: Token): Expr {
    const name = nameToken.upper;
    const start = nameToken.start;
    this.expectOp('(');
    if (AGGREGATES.has(name)) this.unsupported(`the aggregate function ${name}`, nameToken);
    if (WINDOW_ONLY.has(name)) this.unsupported(`the window function ${name}`, nameToken);
    let result: Expr;
    switch (name) {
      case 'CAST':
      case 'TRY_CAST': {
        const arg = this.expr();
        this.expectWord('AS');
        const typeStart = this.token.start;
        const typeText = this.typeText();
        this.expectOp(')');
        result = { kind: 'cast', arg, typeText, typeStart, try: name === 'TRY_CAST', start, end: this.end() };
        break;
      }
      case 'EXTRACT': {
        const field = this.token;
        if (field.kind !== 'ident' && field.kind !== 'string') this.fail('a date-time field (YEAR, MONTH, ...)');
        this.next();
        this.expectWord('FROM');
        const arg = this.expr();
        this.expectOp(')');
        result = { kind: 'extract', field: field.text.toUpperCase(), arg, start, end: this.end() };
        break;
      }
      case 'TRIM': {
        // TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) or TRIM(s[, chars])
        let side: string | undefined;
        if (['BOTH', 'LEADING', 'TRAILING'].includes(this.token.upper) && this.token.kind === 'ident')
          side = this.next().upper;
        if (side && this.acceptWord('FROM')) {
          const arg = this.expr();
          this.expectOp(')');
          result = this.trimCall(side, arg, undefined, nameToken);
          break;
        }
        const first = this.expr();
        if (this.acceptWord('FROM')) {
          const arg = this.expr();
          this.expectOp(')');
          result = this.trimCall(side ?? 'BOTH', arg, first, nameToken);
          break;
        }
        const args = [first];
        while (this.acceptOp(',')) args.push(this.expr());
        this.expectOp(')');
        result = {
          kind: 'call',
          name: side === 'LEADING' ? 'LTRIM' : side === 'TRAILING' ? 'RTRIM' : 'TRIM',
          nameText: nameToken.text,
          args,
          start,
          end: this.end(),
        };
        break;
      }
      case 'POSITION': {
        const needle = this.concat();
        if (this.acceptWord('IN')) {
          const haystack = this.expr();
          this.expectOp(')');
          result = {
            kind: 'call',
            name: 'POSITION',
            nameText: nameToken.text,
            args: [needle, haystack],
            start,
            end: this.end(),
          };
          break;
        }
        const args = [needle];
        while (this.acceptOp(',')) args.push(this.expr());
        this.expectOp(')');
        result = { kind: 'call', name: 'POSITION', nameText: nameToken.text, args, start, end: this.end() };
        break;
      }
      case 'SUBSTRING':
      case 'SUBSTR': {
        const str = this.expr();
        const args = [str];
        if (this.acceptWord('FROM')) {
          args.push(this.expr());
          if (this.acceptWord('FOR')) args.push(this.expr());
        } else {
          while (this.acceptOp(',')) args.push(this.expr());
        }
        this.expectOp(')');
        result = { kind: 'call', name, nameText: nameToken.text, args, start, end: this.end() };
        break;
      }
      default: {
        if (this.isWord('DISTINCT')) this.unsupported('DISTINCT');
        const args: Expr[] = [];
        if (!this.isOp(')')) {
          do {
            if (this.isOp('*')) this.unsupported(`${name}(*)`);
            args.push(this.expr());
          } while (this.acceptOp(','));
        }
        this.expectOp(')');
        result = { kind: 'call', name, nameText: nameToken.text, args, start, end: this.end() };
      }
    }
    if (this.isWord('OVER')) this.unsupported('a window function (OVER)');
    if (this.isWord('FILTER') && this.isOp('(', this.peek())) this.unsupported('FILTER (aggregates)');
    return result;
  }

  private trimCall(side: string, arg: Expr, chars: Expr | undefined, nameToken: Token): Expr {
    const name = side === 'LEADING' ? 'LTRIM' : side === 'TRAILING' ? 'RTRIM' : 'TRIM';
    return {
      kind: 'call',
      name,
      nameText: nameToken.text,
      args: chars ? [arg, chars] : [arg],
      start: nameToken.start,
      end: this.end(),
    };
  }

  private caseExpr(): Expr {
    const start = this.next().start;
    let operand: Expr | undefined;
    if (!this.isWord('WHEN')) operand = this.expr();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptWord('WHEN')) {
      const when = this.expr();
      this.expectWord('THEN');
      whens.push({ when, then: this.expr() });
    }
    if (whens.length === 0) this.fail('WHEN');
    let otherwise: Expr | undefined;
    if (this.acceptWord('ELSE')) otherwise = this.expr();
    this.expectWord('END');
    return { kind: 'case', operand, whens, otherwise, start, end: this.end() };
  }
}
