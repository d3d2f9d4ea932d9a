import { describe, expect, it } from 'vitest';
import { clusterLabelValue, defaultDownstreamNamespace } from '../../../src/sync/naming.js';
import { isDNS1123Label } from '../../../src/apimachinery/validation.js';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe('downstream names', () => {
  it('are stable, readable DNS labels', () => {
    const t = { clusterUid: '4f3c2a1e-0000-4000-8000-000000000001', clusterPath: 'root:acme:team', namespace: 'default' };
    const ns = defaultDownstreamNamespace(t);
    expect(ns).toMatch(/^kp-team-default-[a-z2-7]{13}$/);
    expect(defaultDownstreamNamespace({ ...t })).toBe(ns);
    expect(isDNS1123Label(ns)).toEqual([]);
  });

  it('stay DNS labels for any path and namespace, and never collide', () => {
    const seen = new Map<string, string>();
    const paths = ['root', 'root:a', 'root:a:b', `root:${'x'.repeat(63)}`, 'root:Ünïcode_Team', 'root:a-', 'root:-'];
    const namespaces = ['default', 'a', `${'n'.repeat(63)}`, 'kube-system', 'a-b', 'ab'];
    let i = 0;
    for (const p of paths) {
      for (const n of namespaces) {
        const uid = `uid-${i++}`;
        const ns = defaultDownstreamNamespace({ clusterUid: uid, clusterPath: p, namespace: n });
        expect(isDNS1123Label(ns), ns).toEqual([]);
        expect(seen.has(ns), `${ns} for ${p}/${n} and ${seen.get(ns)}`).toBe(false);
        seen.set(ns, `${p}/${n}`);
      }
    }
    // parts that could run into each other (uid "a", namespace "b-c" vs uid "a-b", namespace "c")
    expect(defaultDownstreamNamespace({ clusterUid: 'a', clusterPath: 'root:x', namespace: 'b-c' }))
      .not.toBe(defaultDownstreamNamespace({ clusterUid: 'a-b', clusterPath: 'root:x', namespace: 'c' }));
  });

  it('belong to the cluster, not its path: a workspace created again gets other names', () => {
    const before = defaultDownstreamNamespace({ clusterUid: 'first', clusterPath: 'root:acme', namespace: 'default' });
    const after = defaultDownstreamNamespace({ clusterUid: 'second', clusterPath: 'root:acme', namespace: 'default' });
    expect(after).not.toBe(before);
    expect(clusterLabelValue('first')).not.toBe(clusterLabelValue('second'));
    expect(clusterLabelValue('first')).toMatch(LABEL_VALUE);
    expect(clusterLabelValue('first').length).toBeLessThanOrEqual(63);
  });
});
