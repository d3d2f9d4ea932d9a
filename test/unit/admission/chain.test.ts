import { describe, expect, it } from 'vitest';
import { AdmissionChain, type AdmissionAttributes, type AdmissionPlugin } from '../../../src/registry/admission.js';
import type { ResourceType } from '../../../src/registry/types.js';
import { ROOT } from '../../../src/tenancy/logicalcluster.js';

const attrs = (): AdmissionAttributes => ({
  operation: 'CREATE', type: { group: '', resource: 'configmaps' } as ResourceType, subresource: '', namespace: 'n', name: 'x', dryRun: false,
  ctx: { cluster: ROOT, namespace: 'n', user: { username: 'u', groups: [] }, now: new Date(), warnings: [] },
  object: { metadata: { name: 'x' } },
});

describe('admission chain', () => {
  it('runs the mutating plugins once more when one asks for it, then no more', async () => {
    const calls: string[] = [];
    const asker: AdmissionPlugin = {
      name: 'asker',
      async admit(a) {
        calls.push(`asker:${a.reinvocation!.isReinvoke}`);
        a.reinvocation!.shouldReinvoke = true;
      },
    };
    const other: AdmissionPlugin = { name: 'other', async admit(a) { calls.push(`other:${a.reinvocation!.isReinvoke}`); } };
    await new AdmissionChain([asker, other]).admit(attrs());
    expect(calls).toEqual(['asker:false', 'other:false', 'asker:true', 'other:true']);
    calls.length = 0;
    await new AdmissionChain([other]).admit(attrs());
    expect(calls).toEqual(['other:false']);
  });
  it('counts a configuration-driven plugin as mutating only where and while it says so', () => {
    const configured = new Set<string>();
    const chain = new AdmissionChain([
      { name: 'hooks', admit: async () => {}, mutatesNow: (cluster) => configured.has(cluster) },
      { name: 'v', validate: async () => {} },
    ]);
    expect(chain.mutatesIn('root:a')).toBe(false);
    configured.add('root:a');
    expect(chain.mutatesIn('root:a')).toBe(true);
    // another tenant's webhook leaves this cluster's writes as they were
    expect(chain.mutatesIn('root:b')).toBe(false);
    expect(new AdmissionChain([{ name: 'builtin', admit: async () => {} }]).mutatesIn('root:b')).toBe(true);
  });
});
