// A JSON parser and writer that keep every number exactly as written, for the vector runner:
// a 30-digit id must be compared digit for digit, which JSON.parse cannot do.

/** A JSON number kept as its source text. */
export class JSONNumber {
  constructor(text) {
    this.text = text;
  }

  /** Canonical decimal form: sign, significant digits without trailing zeros, exponent. */
  get canonical() {
    const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(this.text);
    if (!m) return this.text;
    const [, sign, int, frac = '', exp = '0'] = m;
    let digits = (int + frac).replace(/^0+/, '');
    if (digits === '') return '0';
    let e = BigInt(exp) - BigInt(frac.length);
    const trimmed = digits.replace(/0+$/, '');
    e += BigInt(digits.length - trimmed.length);
    digits = trimmed;
    return `${sign}${digits}e${e}`;
  }

  toJSON() {
    return Number(this.text);
  }
}

/** Parse JSON text; numbers become JSONNumber. Throws SyntaxError on malformed input. */
export function parse(text) {
  let i = 0;
  const fail = (what) => {
    throw new SyntaxError(`${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = string();
        ws();
        if (text[i++] !== ':') fail('expected :');
        Object.defineProperty(obj, key, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] === '}') return obj;
        fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const arr = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i++] === ']') return arr;
        fail('expected , or ]');
      }
    }
    if (c === '"') return string();
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m && m[0]) {
      i += m[0].length;
      return new JSONNumber(m[0]);
    }
    for (const [lit, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    fail('unexpected character');
  };
  const string = () => {
    // Find the closing quote, then let JSON.parse decode the escapes.
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    if (j >= text.length) fail('unterminated string');
    const s = JSON.parse(text.slice(i, j + 1));
    i = j + 1;
    return s;
  };
  const out = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return out;
}

/** Compact JSON, numbers written as they were read. */
export function stringify(v) {
  if (v instanceof JSONNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(stringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${stringify(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
