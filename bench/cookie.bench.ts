/**
 * Cookie codec micro-benchmarks: `node --import tsx bench/cookie.bench.ts`.
 *
 * @module
 */
import { bench, run, summary } from 'mitata';
import { findCookieGroup, parseCookieHeader } from '../src/cookie/parse';
import { resolveCookieOptions } from '../src/cookie/options';
import { serializeCookie } from '../src/cookie/serialize';

const options = resolveCookieOptions({ name: 'session' }, 4);
const sealed = 'Fe26.2*1*' + 'A'.repeat(1800) + '*' + 'b'.repeat(43) + '*' + 'c'.repeat(43) + '~';

/** A typical browser header: analytics cookies around a two-chunk session. */
const typical = [
  '_ga=GA1.1.123456789.1700000000',
  '_gid=GA1.1.987654321.1700000000',
  `session=${sealed}`,
  `session.1=${sealed}`,
  'theme=dark',
  'consent=yes',
].join('; ');
const crowded = Array.from({ length: 10_000 }, (_, i) => `c${i}=${'x'.repeat(20)}`).join('; ') + '; session=x';

summary(() => {
  bench('findCookieGroup: typical header', () => findCookieGroup(typical, 'session', 4));
  bench('parseCookieHeader: typical header', () => parseCookieHeader(typical));
});
bench('findCookieGroup: 10,000 cookies', () => findCookieGroup(crowded, 'session', 4));
bench('serializeCookie: 1.9 kB value with Max-Age', () => serializeCookie('session', sealed, options, 86_400));

await run();
