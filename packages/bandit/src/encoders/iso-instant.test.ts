import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { parseIsoInstant } from './iso-instant.js';

describe('parseIsoInstant', () => {
  it.each([
    ['2024-03-11T12:00:00Z', Date.UTC(2024, 2, 11, 12)],
    ['2024-03-11t12:00:00z', Date.UTC(2024, 2, 11, 12)],
    ['2024-03-11 12:00:00Z', Date.UTC(2024, 2, 11, 12)],
    ['2024-03-11T12:00Z', Date.UTC(2024, 2, 11, 12)],
    ['2024-03-11T14:30:00+02:30', Date.UTC(2024, 2, 11, 12)],
    ['2024-03-11T14:30:00+0230', Date.UTC(2024, 2, 11, 12)],
    ['2024-03-11T02:00:00-10', Date.UTC(2024, 2, 11, 12)],
    ['2024-03-11T12:00:00.250Z', Date.UTC(2024, 2, 11, 12) + 250],
    ['2024-03-11T12:00:00,5Z', Date.UTC(2024, 2, 11, 12) + 500],
    ['2024-03-11T12:00:00.000250Z', Date.UTC(2024, 2, 11, 12) + 0.25],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['0050-01-01T00:00:00Z', -60589296000000],
  ])('%s', (text, ms) => {
    expect(parseIsoInstant(text, 'at')).toBeCloseTo(ms, 6);
  });

  it.each(['1900-02-29', '2024-06-31', '2024-03-11T12:00:00', '2024-3-11', '20240311', '2024-03-11T12Z', 42])(
    'rejects %j naming the field',
    (text) => {
      expect(() => parseIsoInstant(text, 'due_at')).toThrow(InvalidInputError);
      expect(() => parseIsoInstant(text, 'due_at')).toThrow(/^due_at: /);
    },
  );
});
