import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../../src/catalogue/checks/health-endpoints.js';
import { httpFetch } from '../../../src/engine/http-fetch.js';
import { testContext } from '../../helpers/context.js';

let server: Server;
let base: string;
const seen: { method?: string; header?: string; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method, header: req.headers['x-probe'] as string | undefined, body });
      if (req.url === '/health')
        res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] }).end('ok');
      else if (req.url === '/moved') res.writeHead(302, { location: '/health' }).end();
      else if (req.url === '/loop') res.writeHead(307, { location: '/loop' }).end();
      else if (req.url === '/json')
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"ready":false}');
      else if (req.url === '/empty') res.writeHead(204).end();
      else if (req.url === '/hang') setTimeout(() => res.end('late'), 2000);
      else res.writeHead(404).end('nope');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

describe('httpFetch (fetch over node:http for the checks)', () => {
  it('answers a standard Response: status, headers, streamed body', async () => {
    const response = await httpFetch(`${base}/health`, { headers: { 'x-probe': 'yes' } });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await response.text()).toBe('ok');
    expect(seen.at(-1)).toEqual({ method: 'GET', header: 'yes', body: '' });
    const failing = await httpFetch(`${base}/json`);
    expect(failing.status).toBe(503);
    expect(await failing.json()).toEqual({ ready: false });
    expect((await httpFetch(`${base}/empty`)).status).toBe(204);
  });

  it('sends a method and a body', async () => {
    const response = await httpFetch(`${base}/health`, { method: 'post', body: 'hello' });
    await response.body?.cancel();
    expect(seen.at(-1)).toEqual({ method: 'POST', body: 'hello' });
  });

  it('follows redirects, or not, as asked', async () => {
    const followed = await httpFetch(`${base}/moved`);
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${base}/health`);
    const manual = await httpFetch(`${base}/moved`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('location')).toBe('/health');
    await expect(httpFetch(`${base}/moved`, { redirect: 'error' })).rejects.toThrow(TypeError);
    await expect(httpFetch(`${base}/loop`)).rejects.toThrow(/too many redirects/);
  });

  it('fails like fetch: a refused connection is a TypeError with the code as cause', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const error = await httpFetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    await expect(httpFetch('ftp://example.invalid/')).rejects.toThrow(/unsupported protocol/);
  });

  it('stops at the signal: a timeout rejects with the TimeoutError', async () => {
    const error = await httpFetch(`${base}/hang`, { signal: AbortSignal.timeout(50) }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('TimeoutError');
    const aborted = new AbortController();
    aborted.abort();
    await expect(httpFetch(`${base}/health`, { signal: aborted.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('gives the health probe the same observations as the global fetch', async () => {
    const ctx = (f: typeof fetch) => testContext({ fetch: f });
    for (const path of ['/health', '/json', '/moved']) {
      const ours = await probe(ctx(httpFetch), `${base}${path}`, 1000);
      const theirs = await probe(ctx(fetch), `${base}${path}`, 1000);
      expect(ours.status, path).toBe(theirs.status);
      expect(ours.error, path).toBe(theirs.error);
    }
    const ours = await probe(ctx(httpFetch), `${base}/hang`, 50);
    const theirs = await probe(ctx(fetch), `${base}/hang`, 50);
    expect(ours.error).toBe('timed out after 50ms');
    expect(ours.error).toBe(theirs.error);
  });
});
