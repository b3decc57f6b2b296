// kamprov's TypeScript client: openapi-fetch over the types openapi-typescript generated
// from kamprov's OpenAPI document (kamprov.d.ts; regenerate with `npm run sdk:generate`).
//
//   const kamprov = createKamprovClient('http://127.0.0.1:3000', process.env.KAMPROV_API_KEY!);
//   const { data, error } = await kamprov.GET('/user/get', { params: { query: { user: 'alice@sip.example.com' } } });
//   if (data) console.log(data.user.displayname); else console.error(error.response, error.cause, error.detail);
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './kamprov';

export type { components, operations, paths };
export type KamprovClient = Client<paths>;
export type Schemas = components['schemas'];
/** The user object every user node answers. */
export type User = Schemas['UserDto'];
/** Any problem envelope (`invalid`, `failed`, `error`). */
export type ProblemEnvelope = Schemas['InvalidEnvelopeDto'] | Schemas['FailedEnvelopeDto'] | Schemas['ErrorEnvelopeDto'];

/**
 * A typed client for the kamprov at `baseUrl` (with its API_PREFIX, if any), sending `apiKey`
 * as X-API-Key with every request.
 */
export function createKamprovClient(baseUrl: string, apiKey: string, options: Omit<ClientOptions, 'baseUrl'> = {}): KamprovClient {
  return createClient<paths>({
    ...options,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    headers: { ...(options.headers as Record<string, string> | undefined), 'X-API-Key': apiKey },
  });
}
