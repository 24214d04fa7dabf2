import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/**
 * `fetch` over node:http/node:https, for the checks' plain HTTP probes (health endpoints). Node's
 * global fetch (undici) instantiates its WebAssembly HTTP parser on first use, which costs a
 * short-lived CLI run about 15 MiB of peak memory; node:http is already loaded for the AWS SDK. It
 * returns a standard `Response` (streamed body) and honours `method`, `headers`, a string or byte
 * `body`, `signal` and `redirect` ('follow' up to 20 hops, 'manual', 'error'). Errors look like
 * fetch's: a TypeError whose `cause` carries the network error's `code`, or the signal's reason.
 */
export const httpFetch: typeof fetch = async (input, init = {}) => {
  const request = input instanceof Request ? input : null;
  let url = new URL(request ? request.url : String(input));
  const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers ?? request?.headers);
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new TypeError('httpFetch sends string or byte bodies only');
  }
  const signal = init.signal ?? request?.signal ?? undefined;
  const redirect = init.redirect ?? request?.redirect ?? 'follow';
  for (let hop = 0; ; hop += 1) {
    const response = await send(url, method, headers, body ?? undefined, signal);
    const location = response.headers.location;
    const isRedirect = [301, 302, 303, 307, 308].includes(response.statusCode ?? 0) && location;
    if (!isRedirect || redirect === 'manual') return toResponse(response, url);
    response.resume();
    if (redirect === 'error') throw new TypeError(`fetch failed: redirected from ${url.href}`);
    if (hop >= 20) throw new TypeError('fetch failed: too many redirects');
    url = new URL(location, url);
  }
};

async function send(
  url: URL,
  method: string,
  headers: Headers,
  body: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
): Promise<IncomingMessage> {
  signal?.throwIfAborted();
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`fetch failed: unsupported protocol ${url.protocol}`);
  }
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: Object.fromEntries(headers), signal }, resolve);
    req.on('error', (error: Error & { code?: string }) => {
      if (signal?.aborted) reject(signal.reason);
      else reject(new TypeError('fetch failed', { cause: error }));
    });
    req.end(body);
  });
}

function toResponse(message: IncomingMessage, url: URL): Response {
  const status = message.statusCode ?? 0;
  if (status < 200 || status > 599) {
    message.destroy();
    throw new TypeError(`fetch failed: status ${status} from ${url.href}`);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const empty = status === 204 || status === 205 || status === 304;
  if (empty) message.resume();
  const response = new Response(
    empty ? null : (Readable.toWeb(message) as unknown as ReadableStream<Uint8Array>),
    { status, statusText: message.statusMessage ?? '', headers },
  );
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}
