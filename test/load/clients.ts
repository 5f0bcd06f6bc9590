/**
 * The load generator, run as its own process by `harness.ts`: autocannon
 * with one virtual browser per connection. Each keeps its own cookie jar
 * (per-client requests installed from `setupClient`, which read and update
 * the jar), and walks the demo's post/redirect/get loop:
 *
 *   POST /count  → 303, the session's counter + 1 (and a flash notice)
 *   GET  /       → 200, the page shows the counter (and takes the flash)
 *
 * Every page must show exactly as many increments as that client has seen
 * completed; after the run one more GET per client checks the final counter
 * against its completed POSTs. A lost update (a response whose cookie did
 * not carry the change) shows up as a mismatch.
 *
 * Receives `{ port, seconds, connections }` over IPC and answers with a
 * {@link ClientsReport}.
 */
import http from 'node:http';
import autocannon from 'autocannon';

export interface ClientsConfig {
  readonly port: number;
  readonly seconds: number;
  readonly connections: number;
}

export interface ClientsReport {
  /** autocannon's figures. */
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyP99Ms: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Responses whose status was not the one expected (303 for the POST, 200 for the GET). */
  readonly unexpectedStatus: number;
  /** Pages whose counter differed from the client's completed increments. */
  readonly mismatches: number;
  /** Clients whose final counter (checked after the run) differs from their completed POSTs. */
  readonly lostUpdates: number;
  readonly clients: number;
  /** Completed POSTs per client: min and max, to show every client made progress. */
  readonly postsPerClient: { readonly min: number; readonly max: number };
  /** The first few problems, for the log. */
  readonly samples: readonly string[];
}

const COUNT = /data-testid="count">(\d+)</;

/** One browser's cookies for one origin. */
class Jar {
  readonly #cookies = new Map<string, string>();
  header(): string {
    return [...this.#cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
  apply(setCookie: string | string[] | undefined): void {
    for (const c of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const pair = c.slice(0, c.indexOf(';') === -1 ? c.length : c.indexOf(';'));
      const name = pair.slice(0, pair.indexOf('='));
      if (/;\s*max-age=0(;|$)/i.test(c)) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(name.length + 1));
    }
  }
}

interface VirtualClient {
  readonly jar: Jar;
  posts: number;
}

const setCookieOf = (headers: Record<string, string | string[]>): string | string[] | undefined => {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'set-cookie');
  return key === undefined ? undefined : headers[key];
};

/** A plain GET with a client's cookies, for the check after the run. */
function finalCount(port: number, client: VirtualClient): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { cookie: client.jar.header() } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 ? Number(COUNT.exec(body)?.[1]) : undefined));
    });
    req.on('error', reject);
  });
}

async function run(config: ClientsConfig): Promise<ClientsReport> {
  const clients: VirtualClient[] = [];
  const samples: string[] = [];
  let unexpectedStatus = 0;
  let mismatches = 0;
  const note = (problem: string) => {
    if (samples.length < 10) samples.push(problem);
  };

  const result = await autocannon({
    url: `http://127.0.0.1:${config.port}`,
    connections: config.connections,
    pipelining: 1,
    duration: config.seconds,
    setupClient(client) {
      const me: VirtualClient = { jar: new Jar(), posts: 0 };
      clients.push(me);
      const withCookies = (req: autocannon.Request) => ({ ...req, headers: { ...req.headers, cookie: me.jar.header() } });
      client.setRequests([
        {
          method: 'POST',
          path: '/count',
          setupRequest: withCookies,
          onResponse(status, _body, _context, headers) {
            if (status !== 303) {
              unexpectedStatus++;
              note(`POST /count answered ${status}`);
              return;
            }
            me.jar.apply(setCookieOf(headers as Record<string, string | string[]>));
            me.posts++;
          },
        },
        {
          method: 'GET',
          path: '/',
          setupRequest: withCookies,
          onResponse(status, body, _context, headers) {
            if (status !== 200) {
              unexpectedStatus++;
              note(`GET / answered ${status}`);
              return;
            }
            me.jar.apply(setCookieOf(headers as Record<string, string | string[]>));
            const shown = Number(COUNT.exec(body)?.[1]);
            if (shown !== me.posts) {
              mismatches++;
              note(`a page showed ${shown} after ${me.posts} increments`);
            }
          },
        },
      ]);
    },
  });

  let lostUpdates = 0;
  for (const client of clients) {
    const count = await finalCount(config.port, client);
    if (count !== client.posts) {
      lostUpdates++;
      note(`final counter ${String(count)} after ${client.posts} completed increments`);
    }
  }
  const posts = clients.map((c) => c.posts);
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    latencyP99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    unexpectedStatus,
    mismatches,
    lostUpdates,
    clients: clients.length,
    postsPerClient: { min: Math.min(...posts), max: Math.max(...posts) },
    samples,
  };
}

process.once('message', (config: ClientsConfig) => {
  run(config).then(
    (report) => process.send!(report, () => process.exit(0)),
    (err: unknown) => {
      console.error('load clients failed:', err);
      process.exit(1);
    },
  );
});
