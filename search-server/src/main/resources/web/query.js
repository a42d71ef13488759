// Query helpers for the page: writing terms in Bindery's expression syntax, and turning the typed
// expression plus uploaded media into the search request's "query" member. Pure functions (no
// DOM), so the browser test can call them directly.

/** Characters a bare (unquoted) value may hold; anything else is quoted. Mirrors fusion's printer. */
const BARE = /^[A-Za-z0-9_./~:=@%,-]+$/;

/** A term value in the syntax: text is always quoted, other values only when they need it. */
export function termValue(kind, value) {
  if (kind !== 'text' && BARE.test(value)) {
    return value;
  }
  return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/**
 * A recommend with one item as its positive example: {@code recommend(+item:ID)}. Inside
 * recommend(...) a comma ends a bare value, so an id with one is quoted.
 */
export function recommendItem(id) {
  const value = id.includes(',') ? '"' + id.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"'
    : termValue('item', id);
  return 'recommend(+item:' + value + ')';
}

/** A weight as the parser reads it: unsigned, no exponent for everyday values, no trailing zeros. */
export function formatWeight(w) {
  const s = Number(w).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  return s === '' ? '0' : s;
}

/**
 * Writes signed, weighted terms as one expression: [{sign: 1|-1, weight, kind, value}] ->
 * `text:"a" - 0.5*item:x`. Terms with an empty value are skipped.
 */
export function composeExpression(terms) {
  let out = '';
  for (const t of terms) {
    const value = String(t.value ?? '').trim();
    if (value === '') {
      continue;
    }
    const weight = Number(t.weight);
    const factor = (weight === 1 ? '' : formatWeight(weight) + '*') + t.kind + ':' + termValue(t.kind, value);
    if (out === '') {
      out = (t.sign < 0 ? '-' : '') + factor;
    } else {
      out += (t.sign < 0 ? ' - ' : ' + ') + factor;
    }
  }
  return out;
}

/**
 * Splits an expression into tokens with their positions, following the grammar of fusion's
 * QueryParser closely enough to find top-level terms: quoted values with \" and \\ escapes, bare
 * values up to whitespace or one of ( ) + * ", vector literals up to ]. Unknown characters become
 * 'other' tokens; the server reports the real error.
 */
export function tokenize(src) {
  const tokens = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ('()+*-'.includes(c)) {
      tokens.push({type: c, start: i, end: i + 1});
      i++;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (number && src[i + number[0].length] !== ':') {
      tokens.push({type: 'number', start: i, end: i + number[0].length});
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name && src[i + name[0].length] === ':') {
      const start = i;
      let j = i + name[0].length + 1;
      let value = '';
      if (src[j] === '"') {
        j++;
        while (j < src.length && src[j] !== '"') {
          if (src[j] === '\\' && j + 1 < src.length) {
            j++;
          }
          value += src[j];
          j++;
        }
        j = Math.min(src.length, j + 1);
      } else if (name[0] === 'vector' && src[j] === '[') {
        const close = src.indexOf(']', j);
        j = close < 0 ? src.length : close + 1;
        value = src.slice(start + name[0].length + 1, j);
      } else {
        while (j < src.length && !/[\s()+*"]/.test(src[j])) {
          value += src[j];
          j++;
        }
      }
      tokens.push({type: 'term', name: name[0], value, start, end: j});
      i = j;
      continue;
    }
    const end = name ? i + name[0].length : i + 1;
    tokens.push({type: 'other', start: i, end});
    i = end;
  }
  return tokens;
}

/**
 * Takes the top-level bm25 term out of an expression so the rest can go into a JSON query spec
 * next to uploaded media. The term and its '+' are blanked with spaces, so a column the server
 * reports for the rest is still a column of what the user typed.
 *
 * @return {{rest: string, bm25: string|null, clean: boolean}} clean is false when the bm25 term
 *     cannot be split off (several, subtracted, inside parentheses): send the expression alone
 *     then, and the server says what is wrong with it
 */
export function splitBm25(expression) {
  const tokens = tokenize(expression);
  let depth = 0;
  const found = [];
  tokens.forEach((t, index) => {
    if (t.type === '(') depth++;
    if (t.type === ')') depth--;
    if (t.type === 'term' && t.name === 'bm25') {
      found.push({index, depth});
    }
  });
  if (found.length === 0) {
    return {rest: expression, bm25: null, clean: true};
  }
  if (found.length > 1 || found[0].depth !== 0) {
    return {rest: expression, bm25: null, clean: false};
  }
  const at = found[0].index;
  const term = tokens[at];
  const before = tokens[at - 1];
  const after = tokens[at + 1];
  let from = term.start;
  let to = term.end;
  if (before) {
    if (before.type !== '+') {
      return {rest: expression, bm25: null, clean: false};
    }
    from = before.start;
  } else if (after) {
    if (after.type !== '+') {
      return {rest: expression, bm25: null, clean: false};
    }
    to = after.end;
  }
  const rest = expression.slice(0, from) + ' '.repeat(to - from) + expression.slice(to);
  return {rest, bm25: term.value, clean: true};
}

/** A media term as a JSON query node: {image: dataUrl}, weighted and negated as asked. */
export function mediaNode(m) {
  let node = {[m.kind]: m.dataUrl};
  if (Number(m.weight) !== 1) {
    node = {weight: Number(m.weight), of: node};
  }
  return m.sign < 0 ? {negate: node} : node;
}

/**
 * The search request's "query": the typed expression as a string when there is no media (so the
 * server's errors carry the column), else a JSON spec summing the typed expression and the media.
 *
 * @param expression what the user typed
 * @param media [{kind, dataUrl, weight, sign}]
 * @return {{query: string|object, typed: string}} typed is the string the server parses, whose
 *     columns match the input
 */
export function buildQuery(expression, media) {
  if (!media || media.length === 0) {
    return {query: expression, typed: expression};
  }
  const split = splitBm25(expression);
  if (!split.clean) {
    return {query: expression, typed: expression};
  }
  const parts = [];
  if (split.rest.trim() !== '') {
    parts.push(split.rest);
  }
  for (const m of media) {
    parts.push(mediaNode(m));
  }
  const spec = {expression: parts.length === 1 ? parts[0] : {sum: parts}};
  if (split.bm25 !== null) {
    spec.bm25 = split.bm25;
  }
  return {query: spec, typed: split.rest};
}

/**
 * The 1-based column of a query error in a problem+json body: its "column" member, or the
 * "at column N" of a syntax error the server passed on inside a JSON-spec message.
 */
export function errorColumn(problem) {
  if (problem && Number.isInteger(problem.column)) {
    return problem.column;
  }
  const m = problem && typeof problem.detail === 'string'
    ? /\bat column (\d+)\n/.exec(problem.detail)
    : null;
  return m ? Number(m[1]) : null;
}

/** The first line of a problem's detail: the reason, without the server's own caret drawing. */
export function errorReason(problem) {
  const detail = problem && typeof problem.detail === 'string' ? problem.detail : '';
  const line = detail.split('\n')[0];
  return line.replace(/ at column \d+$/, '');
}
