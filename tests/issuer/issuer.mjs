// Logto-like OAuth 2.0 / OIDC token issuer for logto-guard integration tests.
//
// Runs the real `oidc-provider` engine (the one Logto is built on) on plain
// HTTP on 127.0.0.1, mounted under /oidc, issuing JWT access tokens for
// RFC 8707 resource indicators via the client_credentials grant.
//
// stdout carries exactly one line, the JSON ready line; everything else
// (including oidc-provider's own notices) goes to stderr.

import { Console } from 'node:console';
import * as crypto from 'node:crypto';
import * as http from 'node:http';

// oidc-provider prints NOTICEs with console.info (stdout). Keep stdout clean
// for the ready line: every console method writes to stderr. oidc-provider is
// imported dynamically below so that this runs before any of its module code.
const stderrConsole = new Console({ stdout: process.stderr, stderr: process.stderr });
for (const method of ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir', 'table']) {
  console[method] = stderrConsole[method].bind(stderrConsole);
}

const { default: Provider, errors } = await import('oidc-provider');
const log = (...args) => console.error('[issuer]', ...args);

const HOST = '127.0.0.1';
const MOUNT = '/oidc';
const DEFAULT_TTL = 3600;

// ---------------------------------------------------------------------------
// Static configuration: resources (API resources in Logto terms) and clients.
// ---------------------------------------------------------------------------

const RESOURCES = {
  'https://api.example.com': ['read:orders', 'write:orders', 'delete:orders'],
  'https://other.example.com': ['read:other'],
};

// Per-client allow-list of resource scopes (Logto: the M2M app's roles).
const CLIENT_SCOPES = {
  'm2m-app': new Set(Object.values(RESOURCES).flat()),
  'm2m-readonly': new Set(['read:orders', 'read:other']),
  // The Swagger UI test's apps: one that may read orders, one that may not.
  'swagger-reader': new Set(['read:orders']),
  'swagger-writer': new Set(['write:orders']),
  // The billing service: orders-api's client group `billing` lists it.
  'billing-app': new Set(['read:orders', 'write:orders']),
};

// What Logto's Custom JWT script for machine-to-machine tokens adds, per app: the plan of the
// customer the app belongs to.
const CUSTOM_CLAIMS = {
  'billing-app': { plan: 'gold' },
  'm2m-readonly': { plan: 'free' },
};

// Users and the resource scopes their roles grant (Logto: a user's roles), for token exchange.
const USER_SCOPES = {
  'user-admin': new Set(['read:orders', 'write:orders', 'delete:orders']),
  'user-reader': new Set(['read:orders']),
};

// RFC 8693 token exchange as Logto runs it (packages/core/src/oidc/grants/token-exchange/):
// a subject token for user B (`POST /api/subject-tokens`, here `POST /admin/subject-tokens`),
// optionally with an actor token of user A, gives an access token for B whose `act` is
// `{"sub": A}`; its scopes are the requested ones B's roles grant, never A's.
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const SUBJECT_TOKEN_TTL = 600;

// Apps whose token requests a browser page on 127.0.0.1 may make (CORS), like a Logto app
// whose CORS allowed origins list the API's documentation page.
const BROWSER_CLIENTS = new Set(['swagger-reader', 'swagger-writer']);

const CLIENTS = [
  {
    client_id: 'm2m-app',
    client_secret: 'm2m-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'm2m-readonly',
    client_secret: 'm2m-readonly-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'billing-app',
    client_secret: 'billing-secret',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    // A Logto app allowed to exchange tokens (its `allowTokenExchange` custom metadata).
    client_id: 'exchange-app',
    client_secret: 'exchange-secret',
    grant_types: [TOKEN_EXCHANGE],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  },
  ...[...BROWSER_CLIENTS].map((client_id) => ({
    client_id,
    client_secret: `${client_id}-secret`,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
];

function isLoopbackOrigin(origin) {
  try {
    return new URL(origin).hostname === HOST;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Mutable runtime state, changed by the /admin hooks.
// ---------------------------------------------------------------------------

const state = {
  // Published private JWKs: the signing key first, then (during a staged rotation) the Next
  // key, then the Previous one. Like Logto, at most one previous key is kept.
  keys: [],
  // The kid of the key that signs new tokens.
  signingKid: undefined,
  // A staged rotation waiting for its Next key to start signing.
  pendingRotation: undefined,
  // Access token TTL in seconds per resource indicator.
  ttl: Object.fromEntries(Object.keys(RESOURCES).map((r) => [r, DEFAULT_TTL])),
  jwksRequests: 0,
  // Every request outside /admin (token, discovery, JWKS, anything else under or beside /oidc).
  requests: 0,
  // JWKS requests answered 304 Not Modified (also counted in jwksRequests).
  jwksNotModified: 0,
  // { provider, handler } of the live oidc-provider instance.
  current: undefined,
  // The instance `current` replaced: what a replica that has not seen the last change serves.
  previous: undefined,
  // While true, JWKS requests alternate between `current` and `previous`, like replicas behind
  // a load balancer in the middle of a rotation.
  laggingReplica: false,
  jwksAnswers: 0,
  // A fault of the JWKS endpoint: undefined, { slowMs }, or { garbage: true }.
  jwksFault: undefined,
  // Subject tokens (`sub_...`) → { userId, expiresAt, consumed }.
  subjectTokens: new Map(),
  // A user's opaque access tokens with `openid` (from a sign-in, in Logto) → userId: what an
  // actor token is. Logto finds them with oidc-provider's AccessToken model; this stand-in
  // keeps its own table.
  userTokens: new Map(),
};

// Replaces the live instance, keeping the one it replaces for a lagging replica.
function swapProvider() {
  state.previous = state.current;
  state.current = buildProvider(issuer);
}

function newKid(prefix) {
  return `${prefix}-${crypto.randomBytes(12).toString('base64url')}`;
}

function generateKey(kty) {
  if (kty === 'EC') {
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const jwk = privateKey.export({ format: 'jwk' });
    return { ...jwk, kid: newKid('ec'), use: 'sig', alg: 'ES384' };
  }
  if (kty === 'RSA') {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' });
    // Like Logto: RSA keys carry no `alg` member. oidc-provider only fills in
    // `alg` when a key is usable with exactly one algorithm, so RSA keys are
    // published without it.
    return { ...jwk, kid: newKid('rsa'), use: 'sig' };
  }
  throw new Error(`unsupported kty ${kty}`);
}

function signingKey() {
  return state.keys.find((k) => k.kid === state.signingKid);
}

function currentSigningAlg() {
  return signingKey().kty === 'RSA' ? 'RS256' : 'ES384';
}

// Makes `key` the signing key, keeping the one it replaces as Previous (Logto keeps two keys).
function startSigning(key) {
  const current = signingKey();
  state.keys = current ? [key, current] : [key];
  state.signingKid = key.kid;
  swapProvider();
}

// ---------------------------------------------------------------------------
// oidc-provider instance. Keys are fixed per Provider instance, so a key
// rotation builds a fresh instance with the new key set and swaps it in.
// ---------------------------------------------------------------------------

const cookieKeys = [crypto.randomBytes(32).toString('base64url')];

// What a token for `resourceIndicator` may carry, given the scopes `allowed` to its holder.
function resourceServerInfo(resourceIndicator, allowed) {
  const scopes = RESOURCES[resourceIndicator];
  if (!scopes) {
    throw new errors.InvalidTarget('resource indicator is missing, or unknown');
  }
  return {
    // The audience is the indicator itself, as a string (Logto).
    audience: resourceIndicator,
    // Requested scopes outside this list are silently dropped.
    scope: scopes.filter((s) => allowed.has(s)).join(' '),
    accessTokenTTL: state.ttl[resourceIndicator] ?? DEFAULT_TTL,
    accessTokenFormat: 'jwt',
    // Sign with the current key, which a staged rotation leaves in place for a while.
    jwt: { sign: { alg: currentSigningAlg(), kid: state.signingKid } },
  };
}

// The token exchange grant, with Logto's rules: the subject token is single-use and expires;
// an actor token must carry `openid`; the scopes are the subject's, intersected with the
// requested ones.
async function exchangeToken(ctx) {
  const { client, params, provider } = ctx.oidc;
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidGrant('unsupported subject token type');
  }
  const subject = state.subjectTokens.get(String(params.subject_token));
  if (!subject || subject.consumed || subject.expiresAt < Date.now()) {
    throw new errors.InvalidGrant('subject token invalid');
  }
  let actorId;
  if (params.actor_token) {
    if (params.actor_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidGrant('unsupported actor token type');
    }
    const actor = state.userTokens.get(String(params.actor_token));
    if (!actor) throw new errors.InvalidGrant('invalid actor token');
    if (!actor.scope.split(' ').includes('openid')) {
      throw new errors.InvalidGrant('actor token must have openid scope');
    }
    actorId = actor.userId;
  }
  const resource = String(params.resource ?? '');
  const info = resourceServerInfo(resource, USER_SCOPES[subject.userId] ?? new Set());
  const available = new Set(info.scope.split(' '));
  const requested = String(params.scope ?? '').split(' ').filter(Boolean);
  const scope = requested.filter((s) => available.has(s)).join(' ');

  const grant = new provider.Grant({ accountId: subject.userId, clientId: client.clientId });
  grant.addResourceScope(resource, scope);
  const grantId = await grant.save();
  const accessToken = new provider.AccessToken({
    accountId: subject.userId,
    clientId: client.clientId,
    grantId,
    gty: 'token_exchange',
    scope,
    client,
  });
  accessToken.resourceServer = new provider.ResourceServer(resource, info);
  if (actorId) accessToken.extra = { act: { sub: actorId } };
  ctx.oidc.entity('Grant', grant);
  ctx.oidc.entity('AccessToken', accessToken);
  const value = await accessToken.save();
  subject.consumed = true;
  ctx.body = {
    access_token: value,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: accessToken.expiration,
    scope,
  };
}

function buildProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: structuredClone(CLIENTS),
    jwks: { keys: structuredClone(state.keys) },
    cookies: { keys: cookieKeys },
    clientBasedCORS: (_ctx, origin, client) =>
      BROWSER_CLIENTS.has(client.clientId) && isLoopbackOrigin(origin),
    // ES384 is not in oidc-provider's default JWA allow-list; Logto's default
    // signing key is EC P-384 (ES384), so enable it, plus RS256 for RSA keys.
    enabledJWA: {
      idTokenSigningAlgValues: ['ES384', 'RS256'],
      userinfoSigningAlgValues: ['ES384', 'RS256'],
      introspectionSigningAlgValues: ['ES384', 'RS256'],
      authorizationSigningAlgValues: ['ES384', 'RS256'],
    },
    clientDefaults: {
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: currentSigningAlg(),
    },
    // Logto advertises no OIDC scopes for M2M use; keep only the mandatory one.
    scopes: ['openid'],
    claims: { openid: ['sub'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx, resourceIndicator, client) =>
          resourceServerInfo(resourceIndicator, CLIENT_SCOPES[client.clientId] ?? new Set()),
      },
    },
    ttl: {
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? DEFAULT_TTL,
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? DEFAULT_TTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
    // For M2M tokens Logto sets sub == client_id. oidc-provider's JWT format
    // already falls back to the client id when there is no account; the
    // customizer pins it (and the absent-when-empty `scope`) explicitly.
    formats: {
      customizers: {
        jwt: async (_ctx, token, jwt) => {
          if (token.kind === 'ClientCredentials') {
            jwt.payload.sub = token.clientId;
            Object.assign(jwt.payload, CUSTOM_CLAIMS[token.clientId] ?? {});
          }
          if (!jwt.payload.scope) delete jwt.payload.scope;
        },
      },
    },
    // oidc-provider writes only the claims this returns; the token exchange grant leaves `act`
    // in `extra` for it, as Logto does.
    extraTokenClaims: async (_ctx, token) => (token.extra?.act ? { act: token.extra.act } : undefined),
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
  provider.registerGrantType(TOKEN_EXCHANGE, exchangeToken, [
    'subject_token',
    'subject_token_type',
    'actor_token',
    'actor_token_type',
    'scope',
    'resource',
  ]);
  provider.on('server_error', (_ctx, err) => log('server_error', err));
  provider.on('grant.error', (_ctx, err) => log('grant.error', err.message, err.error_description ?? ''));
  return { provider, handler: provider.callback() };
}

// ---------------------------------------------------------------------------
// HTTP server: /admin/* hooks, /oidc/* -> current oidc-provider instance.
// ---------------------------------------------------------------------------

function sendJson(res, status, body) {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(data),
    'cache-control': 'no-store',
  });
  res.end(data);
}

let issuer;

// Logto serves /oidc/jwks with an ETag and answers a matching If-None-Match with 304 (its Koa
// app runs conditional-get and etag middleware in front of oidc-provider, which sends neither).
// Same here: the body oidc-provider writes is hashed when it ends, and a match becomes a 304.
function answerConditionally(req, res) {
  const end = res.end.bind(res);
  res.end = (body, ...rest) => {
    if (res.statusCode !== 200 || body === undefined) return end(body, ...rest);
    const etag = `"${crypto.createHash('sha256').update(body).digest('base64url')}"`;
    res.setHeader('etag', etag);
    if (req.headers['if-none-match'] === etag) {
      state.jwksNotModified += 1;
      res.statusCode = 304;
      res.statusMessage = 'Not Modified';
      res.removeHeader('content-length');
      res.removeHeader('content-type');
      return end();
    }
    return end(body, ...rest);
  };
}

// Delivers a webhook the way Logto does (packages/core/src/libraries/hook: sendWebhookRequest and
// utils/sign.ts): the payload gets `hookId` and `createdAt` (now, unless the request names one),
// is sent as `JSON.stringify(payload)` with `logto-signature-sha-256` = the hex HMAC-SHA256 of
// exactly that text under the signing key, a 10 s timeout and no retry. Answers with what the
// receiver answered.
async function deliverWebhook(req, res) {
  let request;
  try {
    request = JSON.parse(await readBody(req));
  } catch {
    return sendJson(res, 400, { error: 'the body must be JSON' });
  }
  const { url, signingKey, payload } = request ?? {};
  if (typeof url !== 'string' || typeof signingKey !== 'string' || typeof payload !== 'object') {
    return sendJson(res, 400, { error: 'url, signingKey and payload are required' });
  }
  const json = { hookId: 'test-hook', createdAt: new Date().toISOString(), ...payload };
  const body = JSON.stringify(json);
  const signature = crypto.createHmac('sha256', signingKey).update(body).digest('hex');
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'user-agent': 'Logto (https://logto.io/)',
        'content-type': 'application/json',
        'logto-signature-sha-256': signature,
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    log(`webhook ${json.event} delivered: ${response.status}`);
    return sendJson(res, 200, { status: response.status, body: text, createdAt: json.createdAt });
  } catch (err) {
    return sendJson(res, 502, { error: String(err?.message ?? err) });
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function handleAdmin(req, res, url) {
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'POST /admin/deliver-webhook':
      return deliverWebhook(req, res).catch((err) =>
        sendJson(res, 500, { error: String(err?.message ?? err) }),
      );
    case 'POST /admin/rotate': {
      const kty = (url.searchParams.get('kty') ?? 'EC').toUpperCase();
      if (kty !== 'EC' && kty !== 'RSA') {
        return sendJson(res, 400, { error: 'kty must be EC or RSA' });
      }
      const grace = Number(url.searchParams.get('grace') ?? 0);
      if (!Number.isFinite(grace) || grace < 0) {
        return sendJson(res, 400, { error: 'grace must be a non-negative number of seconds' });
      }
      if (state.pendingRotation) {
        return sendJson(res, 409, { error: 'a staged rotation is pending' });
      }
      const key = generateKey(kty);
      const alg = kty === 'RSA' ? 'RS256' : 'ES384';
      if (grace === 0) {
        startSigning(key);
        log(`rotated: new ${kty} key ${key.kid} signs, ${state.keys.length} keys published`);
        return sendJson(res, 200, { kid: key.kid, kty, alg });
      }
      // Staged (Logto's rotationGracePeriod): publish the key as Next now, sign with it later.
      const [current, ...previous] = state.keys;
      state.keys = [current, key, ...previous.slice(0, 1)];
      swapProvider();
      state.pendingRotation = setTimeout(() => {
        state.pendingRotation = undefined;
        startSigning(key);
        log(`staged rotation: ${key.kid} signs now, ${state.keys.length} keys published`);
      }, grace * 1000);
      log(`staged rotation: ${key.kid} published as Next, signs in ${grace}s`);
      return sendJson(res, 200, { kid: key.kid, kty, alg, signs_in: grace });
    }
    case 'POST /admin/access-token-ttl': {
      const seconds = Number(url.searchParams.get('seconds'));
      if (!Number.isInteger(seconds) || seconds <= 0) {
        return sendJson(res, 400, { error: 'seconds must be a positive integer' });
      }
      const resource = url.searchParams.get('resource');
      if (resource !== null && !(resource in RESOURCES)) {
        return sendJson(res, 400, { error: 'unknown resource' });
      }
      for (const r of resource !== null ? [resource] : Object.keys(RESOURCES)) {
        state.ttl[r] = seconds;
      }
      log(`access token ttl set to ${seconds}s for ${resource ?? 'all resources'}`);
      return sendJson(res, 200, { ttl: state.ttl });
    }
    case 'POST /admin/lagging-replica': {
      const on = url.searchParams.get('on');
      if (on !== 'true' && on !== 'false') {
        return sendJson(res, 400, { error: 'on must be true or false' });
      }
      state.laggingReplica = on === 'true';
      // The first answer after this comes from the previous set, the next from the current one.
      state.jwksAnswers = 0;
      log(`lagging replica ${state.laggingReplica ? 'on' : 'off'}`);
      return sendJson(res, 200, { laggingReplica: state.laggingReplica });
    }
    case 'POST /admin/jwks-fault': {
      const mode = url.searchParams.get('mode');
      if (mode === 'none') state.jwksFault = undefined;
      else if (mode === 'garbage') state.jwksFault = { garbage: true };
      else if (mode === 'slow') {
        const ms = Number(url.searchParams.get('ms'));
        if (!Number.isInteger(ms) || ms <= 0) {
          return sendJson(res, 400, { error: 'ms must be a positive integer' });
        }
        state.jwksFault = { slowMs: ms };
      } else return sendJson(res, 400, { error: 'mode must be none, slow or garbage' });
      log(`jwks fault: ${mode}`);
      return sendJson(res, 200, { mode });
    }
    case 'POST /admin/subject-tokens': {
      // Logto's `POST /api/subject-tokens {"userId"}`: a single-use subject token, 600 s.
      const userId = url.searchParams.get('userId');
      if (!(userId in USER_SCOPES)) return sendJson(res, 400, { error: 'unknown userId' });
      const subjectToken = `sub_${crypto.randomBytes(16).toString('base64url')}`;
      state.subjectTokens.set(subjectToken, {
        userId,
        expiresAt: Date.now() + SUBJECT_TOKEN_TTL * 1000,
        consumed: false,
      });
      return sendJson(res, 201, { subjectToken, expiresIn: SUBJECT_TOKEN_TTL });
    }
    case 'POST /admin/user-tokens': {
      // A user's opaque access token from a sign-in, with the scopes asked for (default openid).
      const userId = url.searchParams.get('userId');
      if (!(userId in USER_SCOPES)) return sendJson(res, 400, { error: 'unknown userId' });
      const scope = url.searchParams.get('scope') ?? 'openid';
      const token = crypto.randomBytes(32).toString('base64url');
      state.userTokens.set(token, { userId, scope });
      return sendJson(res, 201, { accessToken: token, scope });
    }
    case 'GET /admin/keys':
      return sendJson(res, 200, { published: state.keys.map((k) => k.kid), signer: state.signingKid });
    // The private JWKs, for another issuer started with ISSUER_KEYS: the same tenant on another
    // domain (test-only; Logto never serves its private keys).
    case 'GET /admin/private-keys':
      return sendJson(res, 200, { keys: state.keys });
    case 'GET /admin/requests':
      return sendJson(res, 200, { count: state.requests });
    case 'GET /admin/jwks-requests':
      return sendJson(res, 200, { count: state.jwksRequests, notModified: state.jwksNotModified });
    case 'POST /admin/jwks-requests/reset':
      state.jwksRequests = 0;
      state.jwksNotModified = 0;
      return sendJson(res, 200, { count: 0, notModified: 0 });
    default:
      return sendJson(res, 404, { error: 'not_found' });
  }
}

const server = http.createServer((req, res) => {
  let url;
  try {
    url = new URL(req.url, 'http://127.0.0.1');
  } catch {
    return sendJson(res, 400, { error: 'bad_request' });
  }

  if (url.pathname === '/admin' || url.pathname.startsWith('/admin/')) {
    try {
      return handleAdmin(req, res, url);
    } catch (err) {
      log('admin error', err);
      return sendJson(res, 500, { error: String(err?.message ?? err) });
    }
  }
  state.requests += 1;

  if (url.pathname === MOUNT || url.pathname.startsWith(`${MOUNT}/`)) {
    let instance = state.current;
    if (url.pathname === `${MOUNT}/jwks` && (req.method === 'GET' || req.method === 'HEAD')) {
      state.jwksRequests += 1;
      if (state.jwksFault?.garbage) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"keys": [garbage');
      }
      answerConditionally(req, res);
      state.jwksAnswers += 1;
      if (state.laggingReplica && state.previous && state.jwksAnswers % 2 === 1) {
        instance = state.previous;
      }
      if (state.jwksFault?.slowMs) {
        const answer = instance;
        req.originalUrl = req.url;
        req.url = req.url.slice(MOUNT.length) || '/';
        setTimeout(() => answer.handler(req, res), state.jwksFault.slowMs);
        return undefined;
      }
    }
    // Mount the provider under /oidc the way Express/Koa mounting does:
    // oidc-provider derives the mount path from req.originalUrl vs req.url.
    req.originalUrl = req.url;
    req.url = req.url.slice(MOUNT.length) || '/';
    if (!req.url.startsWith('/')) req.url = `/${req.url}`;
    return instance.handler(req, res);
  }

  return sendJson(res, 404, { error: 'not_found' });
});

const port = Number(process.env.ISSUER_PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  log(`invalid ISSUER_PORT ${process.env.ISSUER_PORT}`);
  process.exit(2);
}

server.on('error', (err) => {
  log('server error', err);
  process.exit(1);
});

// ISSUER_KEYS: a JSON array of private JWKs to publish instead of a fresh EC key, the first
// signing; what `GET /admin/private-keys` of another issuer answers (`.keys`). Like a Logto
// tenant on a custom domain: another issuer URL, the same keys.
let initialKeys;
if (process.env.ISSUER_KEYS) {
  try {
    initialKeys = JSON.parse(process.env.ISSUER_KEYS);
  } catch {
    initialKeys = undefined;
  }
  if (!Array.isArray(initialKeys) || initialKeys.length === 0 || !initialKeys.every((k) => k?.kid)) {
    log('ISSUER_KEYS must be a non-empty JSON array of private JWKs with a kid each');
    process.exit(2);
  }
}

server.listen(port, HOST, () => {
  const actualPort = server.address().port;
  issuer = `http://${HOST}:${actualPort}${MOUNT}`;
  if (initialKeys) {
    state.keys = initialKeys;
    state.signingKid = initialKeys[0].kid;
    swapProvider();
  } else {
    startSigning(generateKey('EC'));
  }
  log(`listening, issuer ${issuer}, signing key ${state.signingKid} (${currentSigningAlg()})`);
  process.stdout.write(`${JSON.stringify({ ready: true, port: actualPort, issuer })}\n`);
});

function shutdown(signal) {
  log(`${signal} received, shutting down`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
