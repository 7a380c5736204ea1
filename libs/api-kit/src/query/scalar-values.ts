// Hand-written scanners for the typed values of Q-20, so that no user text ever runs through a
// backtracking regular expression.

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Parses JSON number syntax (RFC 8259 §6); returns undefined for anything else or a non-finite value. */
export function parseJsonNumber(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  if (text.charCodeAt(i) === 45) i++; // -
  if (i >= n) return undefined;
  if (text.charCodeAt(i) === 48) {
    i++;
  } else if (isDigit(text.charCodeAt(i))) {
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  } else {
    return undefined;
  }
  if (i < n && text.charCodeAt(i) === 46) {
    i++;
    const start = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i === start) return undefined;
  }
  if (i < n && (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69)) {
    i++;
    if (i < n && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
    const start = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i === start) return undefined;
  }
  if (i !== n) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function digits(text: string, at: number, count: number): number | undefined {
  if (at + count > text.length) return undefined;
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return undefined;
    v = v * 10 + (c - 48);
  }
  return v;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses the date forms of Q-20 / HTTP-10: `YYYY-MM-DD` (midnight UTC) or
 * `YYYY-MM-DDTHH:mm[:ss[.fraction]]` followed by `Z` or `±hh:mm`. Calendar fields are range
 * checked (no 30 February). Returns undefined for anything else.
 */
export function parseIsoDate(text: string): Date | undefined {
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year === undefined || month === undefined || day === undefined) return undefined;
  if (text[4] !== '-' || text[7] !== '-') return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let offsetMinutes = 0;
  if (text.length === 10) {
    // plain date: 00:00:00.000Z
  } else {
    if (text[10] !== 'T') return undefined;
    const h = digits(text, 11, 2);
    const m = digits(text, 14, 2);
    if (h === undefined || m === undefined || text[13] !== ':' || h > 23 || m > 59) return undefined;
    hour = h;
    minute = m;
    let i = 16;
    if (text[i] === ':') {
      const s = digits(text, i + 1, 2);
      if (s === undefined || s > 59) return undefined;
      second = s;
      i += 3;
      if (text[i] === '.') {
        i++;
        const start = i;
        while (i < text.length && isDigit(text.charCodeAt(i))) i++;
        const len = i - start;
        if (len === 0 || len > 9) return undefined;
        // Milliseconds are what a BSON date holds; further digits are truncated.
        millis = Number(text.slice(start, start + Math.min(len, 3)).padEnd(3, '0'));
      }
    }
    if (text[i] === 'Z') {
      i++;
    } else if (text[i] === '+' || text[i] === '-') {
      const oh = digits(text, i + 1, 2);
      const om = digits(text, i + 4, 2);
      if (oh === undefined || om === undefined || text[i + 3] !== ':' || oh > 23 || om > 59) return undefined;
      offsetMinutes = (oh * 60 + om) * (text[i] === '-' ? -1 : 1);
      i += 6;
    } else {
      return undefined;
    }
    if (i !== text.length) return undefined;
  }
  const date = new Date(Date.UTC(2000, 0, 1, hour, minute, second, millis));
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}
