import { describe, expect, it, vi } from 'vitest';
import { MAX_JSON_DEPTH, jsonProblem, toLosslessJson } from '../../src/util/json';

describe('toLosslessJson', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }

  it.each([
    ['a string', 'hi'],
    ['an empty string', ''],
    ['a number', 42.5],
    ['a negative number', -7],
    ['true', true],
    ['false', false],
    ['null', null],
    ['an empty object', {}],
    ['an empty array', []],
    ['nested values', { a: [1, { b: null, c: 'x' }], d: { e: { f: true } } }],
    ['unicode', { emoji: '🍪', cjk: '漢字', rtl: 'שלום' }],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
    ['the same object twice (a DAG, not a cycle)', (() => { const shared = { n: 1 }; return { a: shared, b: [shared, shared] }; })()],
  ])('accepts %s, unchanged by a JSON round trip', (_name, value) => {
    const json = toLosslessJson(value);
    expect(json).toBe(JSON.stringify(value));
    expect(JSON.parse(json!)).toEqual(value);
  });

  it('drops object properties whose value is undefined, as JSON does', () => {
    expect(toLosslessJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const cyclicArray: unknown[] = [1];
  cyclicArray.push(cyclicArray);
  const deep: unknown[] = [];
  let cursor = deep;
  for (let i = 0; i < 400; i++) {
    const next: unknown[] = [];
    cursor.push(next);
    cursor = next;
  }

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 10n],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a Date', new Date(0)],
    ['a Map', new Map([[1, 2]])],
    ['a Set', new Set([1])],
    ['a RegExp', /x/],
    ['a class instance', new Point(1, 2)],
    ['a boxed string', Object('x') as unknown],
    ['a Uint8Array', new Uint8Array(2)],
    ['undefined in an array', [1, undefined]],
    ['a hole in an array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a function in an object', { f: () => 1 }],
    ['a bigint deep inside', { a: [{ b: 1n }] }],
    ['NaN inside', { a: [Number.NaN] }],
    ['a Date inside', { when: new Date(0) }],
    ['an object with toJSON', { toJSON: () => 'x' }],
    ['a cycle', cyclic],
    ['an array cycle', cyclicArray],
    ['nesting deeper than the limit', deep],
  ])('refuses %s', (_name, value) => {
    expect(toLosslessJson(value)).toBeUndefined();
  });
});

describe('toLosslessJson: what JSON would skip without a word', () => {
  class Tags extends Array<string> {}
  const tags = new Tags();
  tags.push('a');
  const hidden = Object.defineProperty({ a: 1 }, 'b', { value: 2, enumerable: false });
  const hiddenUndefined = Object.defineProperty({ a: 1 }, 'b', { value: undefined, enumerable: false });

  it.each([
    ['an Array subclass', tags],
    ['an Array subclass inside', { tags }],
    ['a symbol-keyed property', { a: 1, [Symbol('s')]: 1 }],
    ['a symbol-keyed property with an undefined value', { a: 1, [Symbol('s')]: undefined }],
    ['a registered-symbol key deep inside', { a: [{ b: { [Symbol.for('x')]: 'y' } }] }],
    ['a non-enumerable property', hidden],
    ['a non-enumerable property inside an array', [hidden]],
    ['a non-enumerable property whose value is undefined', hiddenUndefined],
    ['a non-enumerable property on a null-prototype object', Object.defineProperty(Object.create(null) as object, 'x', { value: 1 })],
  ])('refuses %s', (_name, value) => {
    expect(toLosslessJson(value)).toBeUndefined();
  });

  it('lets through, as documented, the sign of -0 and an array’s non-element properties', () => {
    expect(toLosslessJson({ n: -0 })).toBe('{"n":0}');
    const withExtra = Object.assign([1, 2], { extra: 'dropped' });
    expect(toLosslessJson(withExtra)).toBe('[1,2]');
    expect(toLosslessJson('abc'.match(/b/))).toBe('["b"]');
  });

  it('still accepts plain values when someone added an enumerable property to Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'x';
    try {
      expect(toLosslessJson({ a: 1, b: [{ c: 2 }] })).toBe('{"a":1,"b":[{"c":2}]}');
      expect(toLosslessJson(hidden)).toBeUndefined();
    } finally {
      delete proto.polluted;
    }
  });

  it('does not read a symbol-keyed or non-enumerable property’s getter (it is refused by its key alone)', () => {
    const getter = vi.fn(() => 1);
    expect(toLosslessJson(Object.defineProperty({}, 'g', { get: getter, enumerable: false }))).toBeUndefined();
    expect(getter).not.toHaveBeenCalled();
  });
});

describe('the one JSON walk: one depth limit', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = { a: value };
    return value;
  };

  it(`objects nested down to depth ${MAX_JSON_DEPTH} pass, one level more is refused, for the seal and the state check alike`, () => {
    expect(toLosslessJson(nested(MAX_JSON_DEPTH + 1))).toBe(JSON.stringify(nested(MAX_JSON_DEPTH + 1)));
    expect(toLosslessJson(nested(MAX_JSON_DEPTH + 2))).toBeUndefined();
    expect(jsonProblem(nested(MAX_JSON_DEPTH + 1), true)).toBeUndefined();
    expect(jsonProblem(nested(MAX_JSON_DEPTH + 2), true)?.message).toMatch(/nested more than 64 levels/);
  });

  it('a wrapper one level up (a session payload, depth -1) allows its content the same depth', () => {
    expect(toLosslessJson({ v: nested(MAX_JSON_DEPTH + 1) }, -1)).toBeDefined();
    expect(toLosslessJson({ v: nested(MAX_JSON_DEPTH + 2) }, -1)).toBeUndefined();
  });

  it('reports where the problem is, and forbids prototype keys only when asked', () => {
    const value = JSON.parse('{"a":[1,{"__proto__":{}}]}') as unknown;
    expect(jsonProblem(value, false)).toBeUndefined();
    expect(jsonProblem(value, true)).toEqual({ message: 'the key "__proto__" is not allowed in session state', path: ['a', 1, '__proto__'] });
    expect(jsonProblem({ a: { b: [Number.NaN] } }, false)).toEqual({ message: 'numbers must be finite', path: ['a', 'b', 0] });
  });

  it('keeps no state between calls: a refused value does not change the next answer', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'x';
    try {
      expect(toLosslessJson({ a: 1 })).toBe('{"a":1}');
    } finally {
      delete proto.polluted;
    }
    expect(toLosslessJson({ a: 1n })).toBeUndefined();
    expect(toLosslessJson({ a: 1 })).toBe('{"a":1}');
  });
});
