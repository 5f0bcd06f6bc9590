/**
 * The newest state always wins on every framework integration, whatever
 * order seals finish in: a route on the WebCrypto engine commits the admin
 * state without awaiting, then signs out (`destroy()`) or drops the role and
 * commits again, while the first seal is held back on purpose
 * (test/helpers/slow-seal.ts). The real response must carry the removal, or
 * the state without the role.
 */
import { createServer } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import express, { type Request } from 'express';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { H3 } from 'h3';
import { toNodeHandler } from 'h3/node';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type Session } from '../../src/index';
import { sessionMiddleware as expressSessions } from '../../src/integrations/express';
import { sealedSession as fastifySessions } from '../../src/integrations/fastify';
import { sealedSession as h3Sessions, useSealedSession } from '../../src/integrations/h3';
import { sessionMiddleware as honoSessions, type SessionEnv } from '../../src/integrations/hono';
import { expectOneSetCookiePerName, isDeletion, listen, type Listening } from '../helpers/jar';
import { slowSeals } from '../helpers/slow-seal';

const slow = slowSeals('integration-newest-state-secret-0123456789abcdef');
const store = new CookieSessionStore({
  keys: slow.ring,
  schema: z.object({ user: z.string().optional(), role: z.string().optional() }),
  cookie: { secure: false },
});
type S = Session<{ user?: string | undefined; role?: string | undefined }>;

/** What a route runs; it leaves the last commit to the integration. */
async function race(session: S, kind: string): Promise<void> {
  session.set('user', 'ada');
  session.set('role', 'admin');
  const release = slow.holdNextSeal();
  const old = session.commit();
  if (kind === 'destroy') {
    session.destroy();
    release();
    await old;
  } else {
    session.remove('role');
    await session.commit();
    release();
    await old;
  }
}

async function outcome(response: Response): Promise<'removed' | object> {
  const ours = expectOneSetCookiePerName(response.headers.getSetCookie()).filter((c) => c.name === 'session');
  expect(ours).toHaveLength(1);
  if (isDeletion(ours[0]!)) return 'removed';
  return { ...(await store.load(`session=${ours[0]!.value}`)).data };
}

const EXPECTED: Record<string, unknown> = { destroy: 'removed', overtaken: { user: 'ada' } };
const KINDS = ['destroy', 'overtaken'];

const origins: Record<string, string> = {};
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const sessions = expressSessions(store);
  const app = express();
  app.use(sessions);
  app.get('/:kind', async (req: Request, res) => {
    await race(sessions.of(req), String(req.params.kind));
    res.end('ok');
  });
  const expressServer: Listening = await listen(createServer(app));
  origins.express = expressServer.origin;
  closers.push(() => expressServer.close());

  const fastify: FastifyInstance = Fastify();
  await fastify.register(fastifySessions, { store });
  fastify.get<{ Params: { kind: string } }>('/:kind', async (request) => {
    await race((request as FastifyRequest & { session: S }).session, request.params.kind);
    return 'ok';
  });
  origins.fastify = await fastify.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => fastify.close());

  const hono = new Hono<SessionEnv<typeof store>>();
  hono.use(honoSessions(store));
  hono.get('/:kind', async (c) => {
    await race(c.var.session, c.req.param('kind'));
    return c.text('ok');
  });
  const honoServer: ServerType = await new Promise((resolve) => {
    const server = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      origins.hono = `http://127.0.0.1:${info.port}`;
      resolve(server);
    });
  });
  closers.push(() => new Promise((resolve) => honoServer.close(() => resolve())));

  const h3 = new H3();
  h3.use(h3Sessions(store));
  h3.get('/:kind', async (event) => {
    await race(await useSealedSession(event, store), event.context.params?.kind ?? '');
    return 'ok';
  });
  const h3Server = await listen(createServer(toNodeHandler(h3)));
  origins.h3 = h3Server.origin;
  closers.push(() => h3Server.close());
});

afterAll(async () => {
  for (const close of closers) await close();
});

describe.each(['express', 'fastify', 'hono', 'h3'])('%s', (framework) => {
  test.each(KINDS)('an older seal finishing late (%s): the response carries the newest state', async (kind) => {
    const response = await fetch(`${origins[framework]}/${kind}`);
    expect(response.status).toBe(200);
    expect(await outcome(response)).toEqual(EXPECTED[kind]);
  });
});
