import { InvalidInputError } from '../errors.js';

// RFC 3339 / ISO-8601 extended format: a calendar date, optionally a time with seconds, fraction
// and offset. A date-time must carry its offset: a bare local time would be read in the server's
// time zone and make the features depend on where the code runs.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

const MS_PER_MINUTE = 60_000;

/**
 * Milliseconds since the epoch (fraction kept) for an ISO-8601 date or date-time with offset.
 * @throws InvalidInputError for anything else, including impossible dates such as 2023-02-29
 */
export function parseIsoInstant(value: unknown, field: string): number {
  if (typeof value !== 'string') throw new InvalidInputError(field, 'expected an ISO-8601 string');
  const m = ISO_INSTANT.exec(value);
  if (m === null) throw new InvalidInputError(field, `not an ISO-8601 date-time: ${JSON.stringify(value)}`);
  const [, y, mo, d, hh, mi, ss, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hasTime = hh !== undefined;
  if (hasTime && zulu === undefined && sign === undefined) {
    throw new InvalidInputError(field, 'a date-time needs an offset (Z or ±hh:mm)');
  }
  const hour = hasTime ? Number(hh) : 0;
  const minute = hasTime ? Number(mi) : 0;
  const second = ss === undefined ? 0 : Number(ss);
  const offsetHours = oh === undefined ? 0 : Number(oh);
  const offsetMinutes = om === undefined ? 0 : Number(om);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    throw new InvalidInputError(field, `not a valid date-time: ${JSON.stringify(value)}`);
  }
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const fractionMs = frac === undefined ? 0 : Number(`0.${frac}`) * 1000;
  const offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * MS_PER_MINUTE;
  return date.getTime() + fractionMs - offsetMs;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
