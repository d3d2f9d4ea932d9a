// The status conditions the namespace controller reports while deleting a namespace, as kube's
// namespaced-resources deleter words, orders and updates them.

import { describe, expect, it } from 'vitest';
import { deletionConditions, finalizedSpecFinalizers, type DeletionTotals, type NamespaceCondition } from '../../../src/controllers/namespace.js';

const totals = (remaining: [string, number][] = [], finalizers: [string, number][] = [], errors: string[] = []): DeletionTotals => ({
  remaining: new Map(remaining), finalizers: new Map(finalizers), errors,
});

describe('deletionConditions', () => {
  it('reports everything removed with the five conditions in kube order', () => {
    expect(deletionConditions([], totals(), 'T1')).toEqual([
      { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', lastTransitionTime: 'T1', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
      { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', lastTransitionTime: 'T1', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
      { type: 'NamespaceDeletionContentFailure', status: 'False', lastTransitionTime: 'T1', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
      { type: 'NamespaceContentRemaining', status: 'False', lastTransitionTime: 'T1', reason: 'ContentRemoved', message: 'All content successfully removed' },
      { type: 'NamespaceFinalizersRemaining', status: 'False', lastTransitionTime: 'T1', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
    ]);
  });

  it('words what remains, sorted, and updates in place keeping transition times of unchanged statuses', () => {
    const first = deletionConditions([], totals([['secrets.', 2], ['configmaps.', 1]], [['z/hold', 1], ['a/hold', 2]]), 'T1')!;
    expect(first[3]).toEqual({
      type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: 'T1', reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: configmaps. has 1 resource instances, secrets. has 2 resource instances',
    });
    expect(first[4]).toEqual({
      type: 'NamespaceFinalizersRemaining', status: 'True', lastTransitionTime: 'T1', reason: 'SomeFinalizersRemain',
      message: 'Some content in the namespace has finalizers remaining: a/hold in 2 resource instances, z/hold in 1 resource instances',
    });
    // the same again: nothing to write
    expect(deletionConditions(first, totals([['configmaps.', 1], ['secrets.', 2]], [['a/hold', 2], ['z/hold', 1]]), 'T2')).toBeUndefined();
    // fewer left: same status, new message, old transition time
    const second = deletionConditions(first, totals([['secrets.', 2]], [['a/hold', 2]]), 'T2')!;
    expect(second[3]).toMatchObject({ status: 'True', lastTransitionTime: 'T1', message: 'Some resources are remaining: secrets. has 2 resource instances' });
    // all gone: status flips, transition time moves
    const third = deletionConditions(second, totals(), 'T3')!;
    expect(third[3]).toEqual({ type: 'NamespaceContentRemaining', status: 'False', lastTransitionTime: 'T3', reason: 'ContentRemoved', message: 'All content successfully removed' });
    expect(third[0]!.lastTransitionTime).toBe('T1');
  });

  it('keeps foreign conditions where they are and appends its own', () => {
    const custom: NamespaceCondition = { type: 'Custom', status: 'True', reason: 'R', message: 'm' };
    const out = deletionConditions([custom], totals(), 'T1')!;
    expect(out.map((c) => c.type)).toEqual(['Custom', 'NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure',
      'NamespaceDeletionContentFailure', 'NamespaceContentRemaining', 'NamespaceFinalizersRemaining']);
    expect(out[0]).toEqual(custom);
  });

  it('reports deletion failures with their messages, sorted', () => {
    const out = deletionConditions([], totals([['leases.coordination.k8s.io', 1]], [], ['b failed', 'a failed']), 'T1')!;
    expect(out[2]).toEqual({
      type: 'NamespaceDeletionContentFailure', status: 'True', lastTransitionTime: 'T1', reason: 'ContentDeletionFailed',
      message: 'Failed to delete all resource types, 2 remaining: a failed, b failed',
    });
    expect(out[4]).toMatchObject({ status: 'False', reason: 'ContentHasNoFinalizers' });
  });
});

describe('finalizedSpecFinalizers', () => {
  it('drops the kubernetes token and leaves a sorted set', () => {
    expect(finalizedSpecFinalizers(['kubernetes'])).toEqual([]);
    expect(finalizedSpecFinalizers(['z.io/x', 'kubernetes', 'a.io/y', 'z.io/x'])).toEqual(['a.io/y', 'z.io/x']);
  });
});
