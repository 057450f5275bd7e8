import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import {
  ConsentRequiredError,
  enforceManifest,
  expiresAt,
  InvalidPrefsError,
} from './manifest-enforcement.js';
import { createAgentRegistry } from './registry.js';
import * as tipGenerator from './tip-generator.js';

const entry = createAgentRegistry([tipGenerator]).require('tip-generator');
const CONSENTED = { consents: ['analytics', 'llm_processing'] };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('enforceManifest', () => {
  it('lets a consented request with valid prefs through, handing back the prefs', () => {
    expect(enforceManifest(entry, { ...CONSENTED, context: 'inbox', prefs: { tone: 'direct' } })).toEqual({
      silenced: false,
      prefs: { tone: 'direct' },
    });
    expect(enforceManifest(entry, CONSENTED)).toEqual({ silenced: false, prefs: {} });
  });

  it.each(tipGenerator.MANIFEST.silenced_in_contexts)(
    'silences the agent in context %s, with the reason',
    (context) => {
      expect(enforceManifest(entry, { ...CONSENTED, context })).toEqual({
        silenced: true,
        reason: `agent tip-generator is silenced in context "${context}"`,
      });
    },
  );

  it('silences before judging consents or prefs: nothing is processed in a silenced context', () => {
    expect(enforceManifest(entry, { context: 'focus_mode', prefs: { tone: 'sarcastic' } })).toMatchObject({
      silenced: true,
    });
  });

  it('refuses a request lacking a required consent with a 403 naming it', () => {
    for (const consents of [undefined, [], ['analytics'], ['LLM_PROCESSING']]) {
      const error = thrown(() => enforceManifest(entry, { consents }));

      expect(error).toBeInstanceOf(ConsentRequiredError);
      expect(error).toMatchObject({
        status: 403,
        code: 'consent_required',
        details: { agent: 'tip-generator', consent: 'llm_processing', missing: ['llm_processing'] },
      });
      expect((error as Error).message).toBe('agent tip-generator requires the consent "llm_processing"');
    }
  });

  it('checks consents before prefs', () => {
    expect(thrown(() => enforceManifest(entry, { prefs: { tone: 'sarcastic' } }))).toBeInstanceOf(
      ConsentRequiredError,
    );
  });

  it('rejects prefs that violate pref_schema with a 422 naming each field', () => {
    const error = thrown(() =>
      enforceManifest(entry, {
        ...CONSENTED,
        prefs: { tone: 'sarcastic', language: 'english', emoji: true },
      }),
    );

    expect(error).toBeInstanceOf(InvalidPrefsError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      status: 422,
      code: 'validation_failed',
      details: [
        { path: 'prefs.emoji', message: 'is not a known preference' },
        { path: 'prefs.tone', message: 'must be equal to one of the allowed values' },
        { path: 'prefs.language', message: expect.stringContaining('must match pattern') },
      ],
    });
    expect((error as Error).message).toBe('prefs.emoji: is not a known preference');
  });
});

describe('expiresAt', () => {
  it('is now + ttl_sec as an ISO-8601 instant', () => {
    expect(expiresAt(new Date('2025-03-03T08:15:00.250Z'), { ttl_sec: 14_400 })).toBe(
      '2025-03-03T12:15:00.250Z',
    );
    expect(expiresAt(new Date('2025-12-31T23:59:59Z'), { ttl_sec: 1 })).toBe('2026-01-01T00:00:00.000Z');
  });
});
