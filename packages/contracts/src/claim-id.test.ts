import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { claimId } from './claim-id.js';

describe('claimId', () => {
  it('lets a second copy of a schema take an id the first one holds, without throwing', () => {
    const first = z.string().meta(claimId({ id: 'ClaimIdProbe', description: 'probe', examples: ['a'] }));
    const second = z.string().meta(claimId({ id: 'ClaimIdProbe', description: 'probe' }));

    expect(z.globalRegistry.get(second)).toEqual({ id: 'ClaimIdProbe', description: 'probe' });
    expect(z.globalRegistry.get(first)).toEqual({ description: 'probe', examples: ['a'] });
    expect(z.globalRegistry._idmap.get('ClaimIdProbe')).toBe(second);
  });

  it('keeps a conversion that mixes both copies free of duplicate ids, which plain .meta() does not', () => {
    const older = z.string().meta(claimId({ id: 'ClaimIdMixProbe', description: 'x' }));
    const newer = z.string().meta(claimId({ id: 'ClaimIdMixProbe', description: 'x' }));
    expect(() => z.toJSONSchema(z.object({ older, newer }))).not.toThrow();

    const plainOlder = z.string().meta({ id: 'ClaimIdPlainProbe' });
    const plainNewer = z.string().meta({ id: 'ClaimIdPlainProbe' });
    expect(() => z.toJSONSchema(z.object({ plainOlder, plainNewer }))).toThrow(/Duplicate schema id/);
  });

  it('leaves the JSON Schema of the older copy intact, only inlined', () => {
    const older = z.object({ a: z.int() }).meta(claimId({ id: 'ClaimIdShape', description: 'shape' }));
    z.object({ a: z.int() }).meta(claimId({ id: 'ClaimIdShape', description: 'shape' }));
    const json = z.toJSONSchema(z.object({ inner: older }));
    expect(json.properties?.inner).toMatchObject({ type: 'object', description: 'shape' });
    expect(json.$defs).toBeUndefined();
  });
});
