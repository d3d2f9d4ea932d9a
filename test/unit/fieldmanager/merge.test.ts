// The updater (who owns what after an apply or an update, what an apply removes, when it conflicts)
// with structured-merge-diff/v6's merge tests as the specification: leaf fields, sets, nested
// types, associative lists, several appliers, atomic maps, deduced types, duplicates, defaulted
// keys, field-level overrides, unknown fields, ignored (reset) fields and schema changes. Every
// apiVersion is the same schema here, as in SMD's SameVersionParser tests.

import { describe, expect, it } from 'vitest';
import type { SchemaNode } from '../../../src/apimachinery/schema.js';
import { DEDUCED, atomOf, type Atom } from '../../../src/fieldmanager/schema.js';
import {
  K, P, S, S_NUM, S_STR, State, V, associativeList, atomicMapType, book, duplicatesType, leafFields, listMap, nestedTypes, obj,
  portList, preserveUnknown, setFields, vs,
} from './helpers.js';

const state = (schema: SchemaNode | Atom) => new State('map' in schema || 'scalar' in schema || 'list' in schema ? schema as Atom : atomOf(schema as SchemaNode));

describe('leaf fields (leaf_test)', () => {
  const s = () => state(leafFields);

  it('apply_twice', () => {
    s().apply('default', 'numeric: 1\nstring: "string"').apply('default', 'numeric: 2\nstring: "string"\nbool: false')
      .expectLive({ numeric: 2, string: 'string', bool: false })
      .expectManaged({ default: vs('v1', P('numeric'), P('string'), P('bool')) });
  });

  it('apply_twice_different_versions', () => {
    s().apply('default', 'numeric: 1\nstring: "string"').apply('default', 'numeric: 2\nstring: "string"\nbool: false', 'v2')
      .expectLive({ numeric: 2, string: 'string', bool: false })
      .expectManaged({ default: vs('v2', P('numeric'), P('string'), P('bool')) });
  });

  it.each(['v1', 'v2'])('apply_update_apply_no_conflict (updater at %s)', (v) => {
    s().apply('default', 'numeric: 1\nstring: "string"')
      .update('controller', 'numeric: 1\nstring: "string"\nbool: true', v)
      .apply('default', 'numeric: 2\nstring: "string"')
      .expectLive({ numeric: 2, string: 'string', bool: true })
      .expectManaged({ default: vs('v1', P('numeric'), P('string')), controller: vs(v, P('bool')) });
  });

  it.each(['v1', 'v2'])('apply_update_apply_with_conflict (updater at %s), then forced', (v) => {
    s().apply('default', 'numeric: 1\nstring: "string"')
      .update('controller', 'numeric: 1\nstring: "controller string"\nbool: true', v)
      .applyConflicts('default', 'numeric: 2\nstring: "user string"', [['controller', P('string')]])
      .forceApply('default', 'numeric: 2\nstring: "user string"')
      .expectLive({ numeric: 2, string: 'user string', bool: true })
      .expectManaged({ default: vs('v1', P('numeric'), P('string')), controller: vs(v, P('bool')) });
  });

  it.each(['v1', 'v2'])('apply_twice_remove (second apply at %s)', (v) => {
    s().apply('default', 'numeric: 1\nstring: "string"\nbool: false').apply('default', 'string: "new string"', v)
      .expectLive({ string: 'new string' })
      .expectManaged({ default: vs(v, P('string')) });
  });

  it('update_apply_omits: a field an updater took over stays when the applier drops it', () => {
    s().apply('default', 'numeric: 2').update('controller', 'numeric: 1').apply('default', '')
      .expectLive({ numeric: 1 })
      .expectManaged({ controller: vs('v1', P('numeric')) });
  });

  it('update_remove_empty_set: the applier that lost its only field is no manager any more', () => {
    s().apply('default', 'string: "string"').update('controller', 'string: "new string"')
      .expectLive({ string: 'new string' })
      .expectManaged({ controller: vs('v1', P('string')) });
  });

  it('apply_remove_empty_set: applying nothing removes what the applier alone owned', () => {
    s().apply('default', 'string: "string"').apply('default', '').expectLive(null).expectManaged({});
  });

  it('an update that changes nothing records no manager; the manager of a value set twice keeps it', () => {
    const st = s().update('a', 'numeric: 1').update('b', 'numeric: 1');
    st.expectManaged({ a: vs('v1', P('numeric')) });
    st.update('b', 'numeric: 1\nbool: true').expectManaged({ a: vs('v1', P('numeric')), b: vs('v1', P('bool')) });
  });

  it('records whether a manager applied', () => {
    const st = s().apply('applier', 'numeric: 1').update('updater', 'numeric: 1\nstring: x');
    expect(st.managers.get('applier')!.applied).toBe(true);
    expect(st.managers.get('updater')!.applied).toBe(false);
  });

  it('an apply that changes nothing returns no object, but still records the applier', () => {
    const st = s().apply('a', 'numeric: 1');
    const r = new State(st.atom);
    r.live = st.live;
    r.managers = st.managers;
    r.apply('b', 'numeric: 1');
    expect(r.live).toBe(st.live);
    r.expectManaged({ a: vs('v1', P('numeric')), b: vs('v1', P('numeric')) });
  });
});

describe('sets (set_test)', () => {
  const s = () => state(setFields);
  const list = (...xs: string[]) => xs.map((x) => P('list', V(x)));

  it('apply_twice', () => {
    s().apply('default', 'list: [a, c]').apply('default', 'list: [a, b, c, d]')
      .expectLive({ list: ['a', 'b', 'c', 'd'] }).expectManaged({ default: vs('v1', ...list('a', 'b', 'c', 'd')) });
  });

  it.each(['v1', 'v2'])('apply_update_apply_no_overlap (updater at %s): new items go after the item before them', (v) => {
    s().apply('default', 'list: [a, c]').update('controller', 'list: [a, b, c, d]', v).apply('default', 'list: [a, aprime, c, cprime]')
      .expectLive({ list: ['a', 'b', 'aprime', 'c', 'd', 'cprime'] })
      .expectManaged({ default: vs('v1', ...list('a', 'aprime', 'c', 'cprime')), controller: vs(v, ...list('b', 'd')) });
  });

  it.each(['v1', 'v2'])('apply_update_apply_with_overlap (updater at %s): the same value is shared, no conflict', (v) => {
    s().apply('default', 'list: [a, c]').update('controller', 'list: [a, b, c, d]', v).apply('default', 'list: [a, b, c]')
      .expectLive({ list: ['a', 'b', 'c', 'd'] })
      .expectManaged({ default: vs('v1', ...list('a', 'b', 'c')), controller: vs(v, ...list('b', 'd')) });
  });

  it('apply_twice_reorder', () => {
    s().apply('default', 'list: [a, b, c, d]').apply('default', 'list: [a, d, c, b]')
      .expectLive({ list: ['a', 'd', 'c', 'b'] }).expectManaged({ default: vs('v1', ...list('a', 'b', 'c', 'd')) });
  });

  it.each(['v1', 'v2'])('apply_update_apply_reorder (reapplied at %s): reordering owns nothing', (v) => {
    s().apply('default', 'list: [a, b, c, d]').update('controller', 'list: [a, d, c, b]').apply('default', 'list: [a, b, c, d]', v)
      .expectLive({ list: ['a', 'b', 'c', 'd'] }).expectManaged({ default: vs(v, ...list('a', 'b', 'c', 'd')) });
  });

  it('apply_twice_remove', () => {
    s().apply('default', 'list: [a, b, c, d]').apply('default', 'list: [a, c]')
      .expectLive({ list: ['a', 'c'] }).expectManaged({ default: vs('v1', ...list('a', 'c')) });
  });

  it('apply_twice_remove_across_versions', () => {
    s().apply('default', 'list: [a, b, c, d]').apply('default', 'list: [a, c, e]', 'v2')
      .expectLive({ list: ['a', 'c', 'e'] }).expectManaged({ default: vs('v2', ...list('a', 'c', 'e')) });
  });
});

describe('nested types (nested_test)', () => {
  const s = () => state(nestedTypes);
  const a = K({ name: 'a' });
  const b = K({ name: 'b' });

  it('listOfLists_change_value', () => {
    s().apply('default', 'listOfLists: [{name: a, value: [b, c]}]').apply('default', 'listOfLists: [{name: a, value: [a, c]}]')
      .expectLive({ listOfLists: [{ name: 'a', value: ['a', 'c'] }] })
      .expectManaged({ default: vs('v1', P('listOfLists', a), P('listOfLists', a, 'name'), P('listOfLists', a, 'value', V('a')), P('listOfLists', a, 'value', V('c'))) });
  });

  it('listOfLists_change_key_and_value', () => {
    s().apply('default', 'listOfLists: [{name: a, value: [b, c]}]').apply('default', 'listOfLists: [{name: b, value: [a, c]}]')
      .expectLive({ listOfLists: [{ name: 'b', value: ['a', 'c'] }] })
      .expectManaged({ default: vs('v1', P('listOfLists', b), P('listOfLists', b, 'name'), P('listOfLists', b, 'value', V('a')), P('listOfLists', b, 'value', V('c'))) });
  });

  it('listOfMaps_change_value', () => {
    s().apply('default', 'listOfMaps: [{name: a, value: {b: x, c: y}}]').apply('default', 'listOfMaps: [{name: a, value: {a: x, c: z}}]')
      .expectLive({ listOfMaps: [{ name: 'a', value: { a: 'x', c: 'z' } }] })
      .expectManaged({ default: vs('v1', P('listOfMaps', a), P('listOfMaps', a, 'name'), P('listOfMaps', a, 'value', 'a'), P('listOfMaps', a, 'value', 'c')) });
  });

  it('listOfMaps_change_key_and_value', () => {
    s().apply('default', 'listOfMaps: [{name: a, value: {b: x, c: y}}]').apply('default', 'listOfMaps: [{name: b, value: {a: x, c: z}}]')
      .expectLive({ listOfMaps: [{ name: 'b', value: { a: 'x', c: 'z' } }] })
      .expectManaged({ default: vs('v1', P('listOfMaps', b), P('listOfMaps', b, 'name'), P('listOfMaps', b, 'value', 'a'), P('listOfMaps', b, 'value', 'c')) });
  });

  it('mapOfLists_change_value', () => {
    s().apply('default', 'mapOfLists: {a: [b, c]}').apply('default', 'mapOfLists: {a: [a, c]}')
      .expectLive({ mapOfLists: { a: ['a', 'c'] } })
      .expectManaged({ default: vs('v1', P('mapOfLists', 'a'), P('mapOfLists', 'a', V('a')), P('mapOfLists', 'a', V('c'))) });
  });

  it('mapOfLists_change_key_and_value', () => {
    s().apply('default', 'mapOfLists: {a: [b, c]}').apply('default', 'mapOfLists: {b: [a, c]}')
      .expectLive({ mapOfLists: { b: ['a', 'c'] } })
      .expectManaged({ default: vs('v1', P('mapOfLists', 'b'), P('mapOfLists', 'b', V('a')), P('mapOfLists', 'b', V('c'))) });
  });

  it('mapOfMaps_change_value', () => {
    s().apply('default', 'mapOfMaps: {a: {b: x, c: y}}').apply('default', 'mapOfMaps: {a: {a: x, c: z}}')
      .expectLive({ mapOfMaps: { a: { a: 'x', c: 'z' } } })
      .expectManaged({ default: vs('v1', P('mapOfMaps', 'a'), P('mapOfMaps', 'a', 'a'), P('mapOfMaps', 'a', 'c')) });
  });

  it('mapOfMaps_change_key_and_value', () => {
    s().apply('default', 'mapOfMaps: {a: {b: x, c: y}}').apply('default', 'mapOfMaps: {b: {a: x, c: z}}')
      .expectLive({ mapOfMaps: { b: { a: 'x', c: 'z' } } })
      .expectManaged({ default: vs('v1', P('mapOfMaps', 'b'), P('mapOfMaps', 'b', 'a'), P('mapOfMaps', 'b', 'c')) });
  });

  it('mapOfMapsRecursive_change_middle_key', () => {
    s().apply('default', 'mapOfMapsRecursive: {a: {b: {c: null}}}').apply('default', 'mapOfMapsRecursive: {a: {d: {c: null}}}')
      .expectLive({ mapOfMapsRecursive: { a: { d: { c: null } } } })
      .expectManaged({ default: vs('v1', P('mapOfMapsRecursive', 'a'), P('mapOfMapsRecursive', 'a', 'd'), P('mapOfMapsRecursive', 'a', 'd', 'c')) });
  });

  it('struct_apply_remove_all', () => {
    s().apply('default', 'struct: {name: a, value: 1}').apply('default', '').expectLive(null).expectManaged({});
  });

  it('struct_apply_remove_dangling: an applied null struct stays, owned', () => {
    s().apply('default', 'struct: {name: a}').apply('default', 'struct:')
      .expectLive({ struct: null }).expectManaged({ default: vs('v1', P('struct')) });
  });

  it.each([['struct_apply_update_remove_all', ''], ['struct_apply_update_dict_dangling', 'struct: {}'], ['struct_apply_update_dict_null', 'struct:']])(
    '%s: what an updater added survives the applier dropping the struct', (_name, last) => {
      s().apply('default', 'struct: {name: a}').update('controller', 'struct: {name: a, value: 1}').apply('default', last)
        .expectLive({ struct: { value: 1 } });
    },
  );

  it('struct_apply_update_took_over', () => {
    s().apply('default', 'struct: {name: a}').update('controller', 'struct: {name: b, value: 1}').apply('default', 'struct:')
      .expectLive({ struct: { name: 'b', value: 1 } });
  });

  it('removing_obsolete_applied_structs (key_test)', () => {
    state(associativeList).apply('default', 'list: [{name: a, value: 1}]').apply('default', 'list: [{name: b, value: 2}]')
      .expectLive({ list: [{ name: 'b', value: 2 }] })
      .expectManaged({ default: vs('v1', P('list', b), P('list', b, 'name'), P('list', b, 'value')) });
  });
});

describe('several appliers (multiple_appliers_test)', () => {
  const key = (n: string) => K({ name: n });
  const item = (l: string, n: string) => [P(l, key(n)), P(l, key(n), 'name')];

  it('remove_one: an applier removes only its own items', () => {
    state(associativeList).apply('apply-one', 'list: [{name: a}, {name: b}]').apply('apply-two', 'list: [{name: c}]', 'v2')
      .apply('apply-one', 'list: [{name: a}]', 'v3')
      .expectLive({ list: [{ name: 'a' }, { name: 'c' }] })
      .expectManaged({ 'apply-one': vs('v3', ...item('list', 'a')), 'apply-two': vs('v2', ...item('list', 'c')) });
  });

  it('same_value_no_conflict: two appliers of the same value share it', () => {
    const both = [...item('list', 'a'), P('list', key('a'), 'value')];
    state(associativeList).apply('apply-one', 'list: [{name: a, value: 0}]').apply('apply-two', 'list: [{name: a, value: 0}]', 'v2')
      .expectLive({ list: [{ name: 'a', value: 0 }] })
      .expectManaged({ 'apply-one': vs('v1', ...both), 'apply-two': vs('v2', ...both) });
  });

  it('change_value_yes_conflict', () => {
    state(associativeList).apply('apply-one', 'list: [{name: a, value: 0}]')
      .applyConflicts('apply-two', 'list: [{name: a, value: 1}]', [['apply-one', P('list', key('a'), 'value')]], 'v2')
      .expectLive({ list: [{ name: 'a', value: 0 }] })
      .expectManaged({ 'apply-one': vs('v1', ...item('list', 'a'), P('list', key('a'), 'value')) });
  });

  it('remove_one_keep_one: an item both applied stays when one of them drops it', () => {
    state(associativeList).apply('apply-one', 'list: [{name: a}, {name: b}, {name: c}]').apply('apply-two', 'list: [{name: c}, {name: d}]', 'v2')
      .apply('apply-one', 'list: [{name: a}]', 'v3')
      .expectLive({ list: [{ name: 'a' }, { name: 'c' }, { name: 'd' }] })
      .expectManaged({ 'apply-one': vs('v3', ...item('list', 'a')), 'apply-two': vs('v2', ...item('list', 'c'), ...item('list', 'd')) });
  });

  describe('nested', () => {
    const s = () => state(nestedTypes);
    const bd = [...item('listOfLists', 'b'), P('listOfLists', key('b'), 'value', V('d'))];

    it.each(['remove_one_keep_one_with_two_sub_items', 'remove_one_keep_one_with_sub_item'])('%s', () => {
      s().apply('apply-one', 'listOfLists: [{name: a}, {name: b, value: [c]}]').apply('apply-two', 'listOfLists: [{name: b, value: [d]}]', 'v2')
        .apply('apply-one', 'listOfLists: [{name: a}]', 'v3')
        .expectLive({ listOfLists: [{ name: 'a' }, { name: 'b', value: ['d'] }] })
        .expectManaged({ 'apply-one': vs('v3', ...item('listOfLists', 'a')), 'apply-two': vs('v2', ...bd) });
    });

    it('remove_one_keep_one_with_dangling_subitem: what an updater added stays', () => {
      s().apply('apply-one', 'listOfLists: [{name: a}, {name: b, value: [c]}]').apply('apply-two', 'listOfLists: [{name: b, value: [d]}]', 'v2')
        .update('controller', 'listOfLists: [{name: a}, {name: b, value: [c, d, e]}]', 'v2')
        .apply('apply-one', 'listOfLists: [{name: a}]', 'v3')
        .expectLive({ listOfLists: [{ name: 'a' }, { name: 'b', value: ['d', 'e'] }] })
        .expectManaged({
          'apply-one': vs('v3', ...item('listOfLists', 'a')), 'apply-two': vs('v2', ...bd),
          controller: vs('v2', P('listOfLists', key('b'), 'value', V('e'))),
        });
    });

    it.each(['remove_one_with_dangling_subitem_keep_one', 'remove_one_with_managed_subitem_keep_one'])(
      '%s: an item nobody else applied goes, with what an updater added below it', () => {
        const ab = [...item('listOfLists', 'a'), P('listOfLists', key('a'), 'value', V('b'))];
        s().apply('apply-one', 'listOfLists: [{name: a}, {name: b, value: [c]}]').apply('apply-two', 'listOfLists: [{name: a, value: [b]}]', 'v2')
          .update('controller', 'listOfLists: [{name: a, value: [b]}, {name: b, value: [c, d]}]', 'v2')
          .apply('apply-one', 'listOfLists: [{name: a}]', 'v3')
          .expectLive({ listOfLists: [{ name: 'a', value: ['b'] }] })
          .expectManaged({ 'apply-one': vs('v3', ...item('listOfLists', 'a')), 'apply-two': vs('v2', ...ab) });
      },
    );

    it('multiple_appliers_recursive_map', () => {
      const m = (...ks: string[]) => P('mapOfMapsRecursive', ...ks);
      s().apply('apply-one', 'mapOfMapsRecursive: {a: {b: null}, c: {d: null}}')
        .apply('apply-two', 'mapOfMapsRecursive: {a: null, c: {d: null}}', 'v2')
        .update('controller-one', 'mapOfMapsRecursive: {a: {b: {c: null}}, c: {d: {e: null}}}', 'v3')
        .update('controller-two', 'mapOfMapsRecursive: {a: {b: {c: {d: null}}}, c: {d: {e: {f: null}}}}', 'v2')
        .update('controller-one', 'mapOfMapsRecursive: {a: {b: {c: {d: {e: null}}}}, c: {d: {e: {f: {g: null}}}}}', 'v3')
        .apply('apply-one', 'mapOfMapsRecursive:', 'v4')
        .expectLive({ mapOfMapsRecursive: { a: null, c: { d: { e: { f: { g: null } } } } } })
        .expectManaged({
          'apply-one': vs('v4', m()),
          'apply-two': vs('v2', m('a'), m('c'), m('c', 'd')),
          'controller-one': vs('v3', m('c', 'd', 'e'), m('c', 'd', 'e', 'f', 'g')),
          'controller-two': vs('v2', m('c', 'd', 'e', 'f')),
        });
    });
  });

  it('multiple_appliers_recursive_map_deduced', () => {
    state(DEDUCED).apply('apply-one', '{a: {b: null}, c: {d: null}}')
      .apply('apply-two', '{a: null, c: {d: null}}', 'v2')
      .update('controller-one', '{a: {b: {c: null}}, c: {d: {e: null}}}', 'v3')
      .update('controller-two', '{a: {b: {c: {d: null}}}, c: {d: {e: {f: null}}}}', 'v2')
      .update('controller-one', '{a: {b: {c: {d: {e: null}}}}, c: {d: {e: {f: {g: null}}}}}', 'v3')
      .apply('apply-one', '', 'v4')
      .expectLive({ a: null, c: { d: { e: { f: { g: null } } } } })
      .expectManaged({
        'apply-two': vs('v2', P('a'), P('c'), P('c', 'd')),
        'controller-one': vs('v3', P('c', 'd', 'e'), P('c', 'd', 'e', 'f', 'g')),
        'controller-two': vs('v2', P('c', 'd', 'e', 'f')),
      });
  });

  describe('unsetting fields (TestMultipleAppliersFieldUnsetting, one version)', () => {
    const schema = obj({ struct: obj({ name: S_STR, scalarField: S_STR, complexField: obj({ name: S_STR }) }), version: S_STR });
    const s = () => state(schema);

    it('unset_scalar_sole_owner', () => {
      s().apply('apply-one', 'struct: {name: a, scalarField: a}').apply('apply-one', 'struct: {name: a}')
        .expectLive({ struct: { name: 'a' } }).expectManaged({ 'apply-one': vs('v1', P('struct', 'name')) });
    });

    it('unset_scalar_shared_with_applier', () => {
      s().apply('apply-one', 'struct: {name: a, scalarField: a}').apply('apply-two', 'struct: {scalarField: a}').apply('apply-one', 'struct: {name: a}')
        .expectLive({ struct: { name: 'a', scalarField: 'a' } })
        .expectManaged({ 'apply-one': vs('v1', P('struct', 'name')), 'apply-two': vs('v1', P('struct', 'scalarField')) });
    });

    it('unset_scalar_shared_with_updater', () => {
      s().update('updater', 'struct: {name: a, scalarField: a}').apply('applier', 'struct: {name: a, scalarField: a}').apply('applier', 'struct: {name: a}')
        .expectLive({ struct: { name: 'a', scalarField: 'a' } })
        .expectManaged({
          updater: vs('v1', P('struct'), P('struct', 'name'), P('struct', 'scalarField')),
          applier: vs('v1', P('struct', 'name')),
        });
    });

    it('updater_claims_field', () => {
      s().apply('applier', 'struct: {name: a, scalarField: a}').update('updater', 'struct: {name: a, scalarField: b}')
        .expectLive({ struct: { name: 'a', scalarField: 'b' } })
        .expectManaged({ updater: vs('v1', P('struct', 'scalarField')), applier: vs('v1', P('struct', 'name')) });
    });

    it('unset_complex_sole_owner', () => {
      s().apply('apply-one', 'struct: {name: a, complexField: {name: b}}').apply('apply-one', 'struct: {name: a}')
        .expectLive({ struct: { name: 'a' } }).expectManaged({ 'apply-one': vs('v1', P('struct', 'name')) });
    });

    it('unset_complex_shared_with_applier', () => {
      s().apply('apply-one', 'struct: {name: a, complexField: {name: b}}').apply('apply-two', 'struct: {complexField: {name: b}}')
        .apply('apply-one', 'struct: {name: a}')
        .expectLive({ struct: { name: 'a', complexField: { name: 'b' } } })
        .expectManaged({ 'apply-one': vs('v1', P('struct', 'name')), 'apply-two': vs('v1', P('struct', 'complexField', 'name')) });
    });
  });

  it('atomic map: the second applier conflicts on the whole map, and takes it by force', () => {
    state(atomicMapType).apply('apply-one', 'atomicMap: {field1: a}')
      .applyConflicts('apply-two', 'atomicMap: {field2: b}', [['apply-one', P('atomicMap')]])
      .forceApply('apply-two', 'atomicMap: {field2: b}')
      .expectLive({ atomicMap: { field2: 'b' } })
      .expectManaged({ 'apply-two': vs('v1', P('atomicMap')) });
  });
});

describe('deduced types (deduced_test)', () => {
  const s = () => state(DEDUCED);

  it('leaf_apply_update_apply_with_conflict, then forced', () => {
    s().apply('default', 'numeric: 1\nstring: "string"')
      .update('controller', 'numeric: 1\nstring: "controller string"\nbool: true')
      .applyConflicts('default', 'numeric: 2\nstring: "user string"', [['controller', P('string')]])
      .forceApply('default', 'numeric: 2\nstring: "user string"')
      .expectLive({ numeric: 2, string: 'user string', bool: true })
      .expectManaged({ default: vs('v1', P('numeric'), P('string')), controller: vs('v1', P('bool')) });
  });

  it('leaf_apply_twice_remove', () => {
    s().apply('default', 'numeric: 1\nstring: "string"\nbool: false').apply('default', 'string: "new string"')
      .expectLive({ string: 'new string' }).expectManaged({ default: vs('v1', P('string')) });
  });

  it('apply_twice_list_is_atomic', () => {
    s().apply('default', 'list: [a, c]').apply('default', 'list: [a, d, c, b]')
      .expectLive({ list: ['a', 'd', 'c', 'b'] }).expectManaged({ default: vs('v1', P('list')) });
  });

  it('apply_update_apply_list: a list is replaced as a whole, and owned by one', () => {
    s().apply('default', 'list: [a, c]').update('controller', 'list: [a, b, c, d]')
      .applyConflicts('default', 'list: [a, b, c]', [['controller', P('list')]])
      .forceApply('default', 'list: [a, b, c]')
      .expectLive({ list: ['a', 'b', 'c'] }).expectManaged({ default: vs('v1', P('list')) });
  });

  it('leaf_apply_remove_empty_set', () => {
    s().apply('default', 'string: "string"').apply('default', '').expectLive(null).expectManaged({});
  });

  it('apply_update_apply_nested: conflicts on the leaves and the atomic lists the updater changed', () => {
    const first = 'a: 1\nb:\n  c:\n    d: 2\n    e: [1, 2, 3]\n    f: [{name: n, value: 1}]';
    const again = 'a: 2\nb:\n  c:\n    d: 2\n    e: [3, 2, 1]\n    f: [{name: n, value: 1}]';
    s().apply('default', first)
      .update('controller', 'a: 1\nb:\n  c:\n    d: 3\n    e: [1, 2, 3, 4]\n    f: [{name: n, value: 2}]\ng: 5')
      .applyConflicts('default', again, [['controller', P('b', 'c', 'd')], ['controller', P('b', 'c', 'e')], ['controller', P('b', 'c', 'f')]])
      .forceApply('default', again)
      .expectLive({ a: 2, b: { c: { d: 2, e: [3, 2, 1], f: [{ name: 'n', value: 1 }] } }, g: 5 });
  });
});

describe('duplicates (duplicates_test)', () => {
  const s = () => state(duplicatesType);
  const a = K({ name: 'a' });
  const b = K({ name: 'b' });
  const bAll = [P('list', b), P('list', b, 'name'), P('list', b, 'value1')];
  const dupList = 'list: [{name: a, value1: 1}, {name: a, value1: 2}, {name: b, value1: 3}]';

  it('sets/ownership/duplicates: a duplicated value is owned once', () => {
    s().update('updater-one', 'set: [1, 1, 3, 4]')
      .expectManaged({ 'updater-one': vs('v1', P('set'), P('set', V(1)), P('set', V(3)), P('set', V(4))) });
  });

  it.each([['add_duplicate', 'set: [1, 3, 4]', 'set: [1, 1, 3, 4]'], ['remove_duplicate', 'set: [1, 1, 3, 4]', 'set: [1, 3, 4]']])(
    'sets/ownership/%s: whoever duplicates or deduplicates a value owns it', (_name, first, second) => {
      s().update('updater-one', first).update('updater-two', second)
        .expectManaged({ 'updater-one': vs('v1', P('set'), P('set', V(3)), P('set', V(4))), 'updater-two': vs('v1', P('set', V(1))) });
    },
  );

  it('sets/merging/remove_duplicate: applying a duplicated value conflicts, forcing deduplicates it', () => {
    s().update('updater', 'set: [1, 1, 3, 4]')
      .applyConflicts('applier', 'set: [1]', [['updater', P('set', V(1))]])
      .forceApply('applier', 'set: [1]')
      .expectLive({ set: [1, 3, 4] })
      .expectManaged({ updater: vs('v1', P('set'), P('set', V(3)), P('set', V(4))), applier: vs('v1', P('set', V(1))) });
  });

  it('sets/merging/ignore_duplicate: an unrelated value leaves the duplicates alone', () => {
    s().update('updater', 'set: [1, 1, 3, 4]').apply('applier', 'set: [5]')
      .expectLive({ set: [1, 1, 3, 4, 5] })
      .expectManaged({ updater: vs('v1', P('set'), P('set', V(1)), P('set', V(3)), P('set', V(4))), applier: vs('v1', P('set', V(5))) });
  });

  it('list/ownership/duplicated_items: a duplicated item is owned once, as a whole', () => {
    s().update('updater', dupList).expectManaged({ updater: vs('v1', P('list'), P('list', a), ...bAll) });
  });

  it.each([
    ['change_duplicated_items', 'list: [{name: a, value1: 1}, {name: a, value1: 3}, {name: b, value1: 3}]'],
    ['change_fields_duplicated_items', 'list: [{name: a, value1: 1}, {name: a, value1: 2, value2: 3}, {name: b, value1: 3}]'],
  ])('list/ownership/%s: whoever changes a duplicated item owns it', (_name, second) => {
    s().update('updater-one', dupList).update('updater-two', second)
      .expectManaged({ 'updater-one': vs('v1', P('list'), ...bAll), 'updater-two': vs('v1', P('list', a)) });
  });

  it('list/ownership/add_duplicated_items_different_field', () => {
    s().update('updater-one', 'list: [{name: a, value1: 1}, {name: b, value1: 3}]')
      .update('updater-two', 'list: [{name: a, value1: 1}, {name: a, value2: 3}, {name: b, value1: 3}]')
      .expectManaged({ 'updater-one': vs('v1', P('list'), ...bAll), 'updater-two': vs('v1', P('list', a)) });
  });

  it('list/ownership/add_unrelated_to_list_with_duplicates', () => {
    s().update('updater-one', 'list: [{name: a, value1: 1}, {name: a, value1: 2}]')
      .update('updater-two', 'list: [{name: a, value1: 1}, {name: a, value1: 2}, {name: b, value1: 3}]')
      .expectManaged({ 'updater-one': vs('v1', P('list'), P('list', a)), 'updater-two': vs('v1', ...bAll) });
  });

  it('list/merge/unrelated_with_duplicated_items', () => {
    s().update('updater', dupList).forceApply('applier', 'unrelated: 5')
      .expectLive({ list: [{ name: 'a', value1: 1 }, { name: 'a', value1: 2 }, { name: 'b', value1: 3 }], unrelated: 5 })
      .expectManaged({ updater: vs('v1', P('list'), P('list', a), ...bAll), applier: vs('v1', P('unrelated')) });
  });

  it.each([['change_duplicated_item', 'list: [{name: a, value1: 3}]'], ['unchanged_duplicated_item', 'list: [{name: a, value1: 2}]']])(
    'list/merge/%s: applying a duplicated item conflicts on it; forcing replaces the duplicates', (_name, conflicting) => {
      s().update('updater', dupList)
        .applyConflicts('applier', conflicting, [['updater', P('list', a)]])
        .forceApply('applier', 'list: [{name: a, value1: 3}]')
        .expectLive({ list: [{ name: 'a', value1: 3 }, { name: 'b', value1: 3 }] })
        .expectManaged({ updater: vs('v1', P('list'), ...bAll), applier: vs('v1', P('list', a), P('list', a, 'name'), P('list', a, 'value1')) });
    },
  );

  it('list/merge/change_non_duplicated_item', () => {
    s().update('updater', dupList).forceApply('applier', 'list: [{name: b, value1: 4}]')
      .expectLive({ list: [{ name: 'a', value1: 1 }, { name: 'a', value1: 2 }, { name: 'b', value1: 4 }] })
      .expectManaged({ updater: vs('v1', P('list'), P('list', a), P('list', b), P('list', b, 'name')), applier: vs('v1', ...bAll) });
  });

  it('list/merge/apply_update_duplicates_apply_without: duplicates an updater made survive the applier', () => {
    s().apply('applier', 'list: [{name: a, value1: 1}, {name: b, value1: 3}]').update('updater', dupList)
      .apply('applier', 'list: [{name: b, value1: 3}]')
      .expectLive({ list: [{ name: 'a', value1: 1 }, { name: 'a', value1: 2 }, { name: 'b', value1: 3 }] })
      .expectManaged({ applier: vs('v1', ...bAll), updater: vs('v1', P('list', a)) });
  });
});

describe('defaulted keys (default_keys_test)', () => {
  const s = () => state(portList);
  const tcp = K({ port: 80, protocol: 'TCP' });
  const udp = K({ port: 80, protocol: 'UDP' });

  it('apply_missing_defaulted_key_A: an omitted key takes its default', () => {
    s().apply('default', 'containerPorts: [{port: 80}]')
      .expectLive({ containerPorts: [{ port: 80 }] })
      .expectManaged({ default: vs('v1', P('containerPorts', tcp), P('containerPorts', tcp, 'port')) });
  });

  it('apply_missing_defaulted_key_B', () => {
    s().apply('default', 'containerPorts: [{port: 80}, {port: 80, protocol: UDP}]')
      .expectManaged({ default: vs('v1', P('containerPorts', tcp), P('containerPorts', tcp, 'port'), P('containerPorts', udp), P('containerPorts', udp, 'port'), P('containerPorts', udp, 'protocol')) });
  });

  it('apply_missing_defaulted_key_with_conflict: the defaulted key is the same item', () => {
    s().apply('apply-one', 'containerPorts: [{port: 80, protocol: TCP, name: foo}]')
      .applyConflicts('apply-two', 'containerPorts: [{port: 80, name: bar}]', [['apply-one', P('containerPorts', tcp, 'name')]])
      .expectLive({ containerPorts: [{ port: 80, protocol: 'TCP', name: 'foo' }] });
  });

  it('apply_missing_undefaulted_defaulted_key: an item keyed by the keys it has', () => {
    const k = K({ protocol: 'TCP' });
    s().apply('default', 'containerPorts: [{protocol: TCP, name: A}]')
      .expectManaged({ default: vs('v1', P('containerPorts', k), P('containerPorts', k, 'name'), P('containerPorts', k, 'protocol')) });
  });

  it.each(['containerPorts: [{port: 80}, {port: 80}]', 'containerPorts: [{port: 80}, {port: 80, protocol: TCP}]'])(
    'refuses %s: the items are the same item', (config) => {
      expect(() => s().apply('default', config)).toThrow('duplicate entries for key [port=80,protocol="TCP"]');
    },
  );

  it('apply_missing_every_key_nested / apply_integer_key_with_float_default', () => {
    const ch = K({ chapter: 1, section: 'A' });
    const se = K({ page: 2, line: 3 });
    const st = state(book).apply('default', 'book: [{sentences: [{text: blah}]}]');
    st.expectManaged({ default: vs('v1', P('book', ch), P('book', ch, 'sentences', se), P('book', ch, 'sentences', se, 'text')) });
    st.apply('default', 'book: [{sentences: [{text: blah, page: 2}]}]')
      .expectLive({ book: [{ sentences: [{ text: 'blah', page: 2 }] }] })
      .expectManaged({ default: vs('v1', P('book', ch), P('book', ch, 'sentences', se), P('book', ch, 'sentences', se, 'text'), P('book', ch, 'sentences', se, 'page')) });
  });
});

describe('field-level overrides (field_level_overrides_test)', () => {
  const unspecifiedMap = obj({ name: S_STR, value: S_NUM });
  const atomicMap = obj({ name: S_STR, value: S_NUM }, { 'x-kubernetes-map-type': 'atomic' });
  const assoc = listMap(['name'], { ...unspecifiedMap, 'x-kubernetes-map-type': 'atomic' });
  const schema = obj({
    associativeListReference: { ...assoc, 'x-kubernetes-list-type': 'atomic' },
    separableInlineList: { type: 'array', 'x-kubernetes-list-type': 'set', items: S_NUM },
    separableMapReference: { ...atomicMap, 'x-kubernetes-map-type': 'granular' },
    atomicMapReference: { ...unspecifiedMap, 'x-kubernetes-map-type': 'atomic' },
  });
  const s = () => state(schema);

  it('test_override_atomic_map_with_separable', () => {
    s().apply('apply_one', 'separableMapReference: {name: a}').apply('apply_two', 'separableMapReference: {value: 2}')
      .expectLive({ separableMapReference: { name: 'a', value: 2 } })
      .expectManaged({ apply_one: vs('v1', P('separableMapReference', 'name')), apply_two: vs('v1', P('separableMapReference', 'value')) });
  });

  it('test_override_unspecified_map_with_atomic', () => {
    s().apply('apply_one', 'atomicMapReference: {name: a}')
      .applyConflicts('apply_two', 'atomicMapReference: {value: 2}', [['apply_one', P('atomicMapReference')]])
      .apply('apply_one', 'atomicMapReference: {name: b, value: 2}')
      .expectLive({ atomicMapReference: { name: 'b', value: 2 } })
      .expectManaged({ apply_one: vs('v1', P('atomicMapReference')) });
  });

  it('test_override_associative_list_with_atomic', () => {
    s().apply('apply_one', 'associativeListReference: [{name: a, value: 1}]')
      .applyConflicts('apply_two', 'associativeListReference: [{name: b, value: 2}]', [['apply_one', P('associativeListReference')]])
      .expectManaged({ apply_one: vs('v1', P('associativeListReference')) });
  });

  it('test_override_inline_atomic_list_with_associative', () => {
    s().apply('apply_one', 'separableInlineList: [1]').apply('apply_two', 'separableInlineList: [2]')
      .expectLive({ separableInlineList: [1, 2] })
      .expectManaged({ apply_one: vs('v1', P('separableInlineList', V(1))), apply_two: vs('v1', P('separableInlineList', V(2))) });
  });
});

describe('unknown fields (preserve_unknown_test)', () => {
  it('preserve_unknown_fields: a key that is no field is owned like one', () => {
    state(preserveUnknown).apply('default', 'num: 5\nunknown: value').apply('default', 'num: 6\nunknown: new')
      .expectLive({ num: 6, unknown: 'new' }).expectManaged({ default: vs('v1', P('num'), P('unknown')) });
  });
});

describe('ignored fields (ignore_test, kube\'s reset fields)', () => {
  it.each<[string, string, ReturnType<typeof S>]>([
    ['update_does_not_own_ignored', 'numeric: 1\nstring: "some string"', S(P('string'))],
    ['update_does_not_own_deep_ignored', '{"numeric": 1, "obj": {"string": "foo", "numeric": 2}}', S(P('obj'))],
  ])('%s', (_name, o, ignore) => {
    new State(DEDUCED, ignore).update('default', o).expectLive(o).expectManaged({ default: vs('v1', P('numeric')) });
  });

  it.each<[string, string, ReturnType<typeof S>]>([
    ['apply_does_not_own_ignored', 'numeric: 1\nstring: "some string"', S(P('string'))],
    ['apply_does_not_own_deep_ignored', '{"numeric": 1, "obj": {"string": "foo", "numeric": 2}}', S(P('obj'))],
  ])('%s', (_name, o, ignore) => {
    new State(DEDUCED, ignore).apply('default', o).expectLive(o).expectManaged({ default: vs('v1', P('numeric')) });
  });

  it('an ignored field never conflicts, and an apply does not remove it', () => {
    const st = new State(DEDUCED, S(P('status'))).update('controller', 'spec: {a: 1}\nstatus: {phase: x}');
    st.apply('applier', 'spec: {a: 1}\nstatus: {phase: y}').expectLive({ spec: { a: 1 }, status: { phase: 'y' } });
    st.apply('applier', 'spec: {a: 1}').expectLive({ spec: { a: 1 }, status: { phase: 'y' } })
      .expectManaged({ controller: vs('v1', P('spec'), P('spec', 'a')), applier: vs('v1', P('spec'), P('spec', 'a')) });
  });
});

describe('schema changes (schema_change_test)', () => {
  const granular = obj({ struct: obj({ numeric: S_NUM, string: S_STR }) });
  const atomic = obj({ struct: obj({ numeric: S_NUM, string: S_STR }, { 'x-kubernetes-map-type': 'atomic' }) });

  /** ChangeParser: the same live object and managers under another schema. */
  const changeTo = (st: State, schema: SchemaNode) => {
    const next = state(schema);
    next.live = st.live;
    next.managers = st.managers;
    return next;
  };

  it('to-atomic: a granular owner owns the struct that became atomic', () => {
    const st = changeTo(state(granular).apply('one', 'struct: {numeric: 1}'), atomic);
    st.applyConflicts('two', 'struct: {string: "string"}', [['one', P('struct')]])
      .forceApply('two', 'struct: {string: "string"}')
      .expectLive({ struct: { string: 'string' } })
      .expectManaged({ two: vs('v1', P('struct')) });
  });

  it('to-atomic-owner-with-no-child-fields: a manager owning none of the children owns nothing', () => {
    const st = changeTo(state(granular).apply('one', 'struct: {numeric: 1}').forceApply('two', 'struct: {numeric: 2}'), atomic);
    st.applyConflicts('three', 'struct: {string: "string"}', [['two', P('struct')]])
      .forceApply('two', 'struct: {string: "string"}')
      .expectLive({ struct: { string: 'string' } })
      .expectManaged({ two: vs('v1', P('struct')) });
  });

  it('to-granular: the atomic owner keeps the struct but none of its fields', () => {
    let st = state(atomic).apply('one', 'struct: {numeric: 1, string: a}')
      .applyConflicts('two', 'struct: {string: b}', [['one', P('struct')]]);
    st = changeTo(st, granular).apply('two', 'struct: {string: b}');
    st.expectLive({ struct: { numeric: 1, string: 'b' } })
      .expectManaged({ one: vs('v1', P('struct')), two: vs('v1', P('struct', 'string')) });
  });
});
