import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/**
 * A demo university's OpenID Provider for local mode and tests ("Universitas Contoh"), with oidc-provider (a
 * certified OP library), run in process on 127.0.0.1. It has demo members with passwords, a login and a
 * consent screen of its own (Bahasa Indonesia and English), PKCE required, and releases eduPerson claims in the
 * ID token as a SATOSA front of a SAML federation would. Local mode only: nothing of it is deployed on AWS.
 */

export interface DemoMember {
  username: string;
  password: string;
  name: string;
  /** eduPersonScopedAffiliation values, e.g. member@contoh.ac.id. */
  affiliations: string[];
  /** eduPersonEntitlement values. */
  entitlements: string[];
}

/** The scope of the demo university's scoped affiliations. */
export const demoCampusScope = 'contoh.ac.id';
/** The entitlement value universities use for "may use licensed library resources" (MACE common-lib-terms). */
export const libraryTermsEntitlement = 'urn:mace:dir:entitlement:common-lib-terms';

/** Printed by `npm start` beside the library's demo accounts. */
export const demoMembers: DemoMember[] = [
  {
    username: 'dosen',
    password: 'kampus-dosen',
    name: 'Dr. Ayu Wulandari',
    affiliations: [`faculty@${demoCampusScope}`, `member@${demoCampusScope}`],
    entitlements: [libraryTermsEntitlement],
  },
  {
    username: 'mahasiswa',
    password: 'kampus-mahasiswa',
    name: 'Rizky Pratama',
    affiliations: [`student@${demoCampusScope}`, `member@${demoCampusScope}`],
    entitlements: [],
  },
];

export interface CampusClient {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs (the provider refuses any other). */
  redirectUris: string[];
}

export interface CampusIdpOptions {
  name?: string;
  members?: DemoMember[];
  clients: CampusClient[];
  /** 0 (default) for a free port. */
  port?: number;
}

export interface CampusIdp {
  name: string;
  /** http://127.0.0.1:<port> */
  issuer: string;
  jwksUri: string;
  members: DemoMember[];
  /**
   * Tests only: rewrites the token endpoint's JSON answer before it is sent (e.g. to hand out another
   * provider's ID token, as a mix-up attacker would).
   */
  rewriteTokenResponse: ((body: Record<string, unknown>) => Promise<Record<string, unknown>>) | undefined;
  close(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" ` +
    `content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>` +
    `body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;line-height:1.5}` +
    `label{display:block;margin-top:.75rem}input{width:100%;padding:.5rem;font-size:1rem}` +
    `button{margin-top:1rem;margin-right:.5rem;padding:.5rem 1rem;font-size:1rem}.error{color:#a00}</style>` +
    `</head><body>${body}</body></html>`
  );
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startCampusIdp(options: CampusIdpOptions): Promise<CampusIdp> {
  const name = options.name ?? 'Universitas Contoh';
  const members = options.members ?? demoMembers;
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: `contoh-${randomBytes(4).toString('hex')}`,
    alg: 'RS256',
    use: 'sig',
  };

  const configuration: Configuration = {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    })),
    async findAccount(_ctx, sub) {
      const member = members.find((m) => m.username === sub);
      if (!member) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          name: member.name,
          eduperson_scoped_affiliation: member.affiliations,
          eduperson_entitlement: member.entitlements,
        }),
      };
    },
    claims: {
      openid: ['sub'],
      profile: ['name'],
      eduperson: ['eduperson_scoped_affiliation', 'eduperson_entitlement'],
    },
    scopes: ['openid', 'profile', 'eduperson'],
    // Released in the ID token (not only at userinfo), as a SATOSA front does.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // Short, demo-sized lifetimes (seconds); the gateway keeps its own session once signed in.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page(
        name,
        `<h1>${escapeHtml(name)}</h1><p class="error">${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ''))}</p>`,
      );
    },
  };
  const provider = new Provider(issuer, configuration);
  const handle = provider.callback();

  const idp: CampusIdp = {
    name,
    issuer,
    jwksUri: `${issuer}/jwks`,
    members,
    rewriteTokenResponse: undefined,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const html = (body: string, status = 200) =>
      res
        .writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
        .end(page(name, body));
    if (req.method === 'GET' && details.prompt.name === 'login') {
      return html(loginForm(uid));
    }
    if (req.method === 'POST' && action === 'login') {
      const form = await formOf(req);
      const member = members.find(
        (m) => m.username === form.get('username') && m.password === form.get('password'),
      );
      if (!member) return html(loginForm(uid, true), 401);
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: member.username } },
        {
          mergeWithLastSubmission: false,
        },
      );
    }
    if (req.method === 'GET' && details.prompt.name === 'consent') {
      const scopes = String(details.params.scope ?? 'openid');
      return html(
        `<h1>${escapeHtml(name)}</h1><p>Pustaka meminta: <strong>${escapeHtml(scopes)}</strong>` +
          ` (nama, afiliasi, hak akses perpustakaan / name, affiliation, library entitlements).</p>` +
          `<form method="post" action="/interaction/${uid}/confirm">` +
          `<button type="submit" name="decision" value="allow">Izinkan / Allow</button>` +
          `<button type="submit" name="decision" value="deny">Tolak / Deny</button></form>`,
      );
    }
    if (req.method === 'POST' && action === 'confirm') {
      const form = await formOf(req);
      if (form.get('decision') !== 'allow') {
        return provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'The member did not allow sharing.' },
          { mergeWithLastSubmission: false },
        );
      }
      const accountId = details.session!.accountId;
      const grant = details.grantId
        ? (await provider.Grant.find(details.grantId))!
        : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope ?? 'openid'));
      grant.addOIDCClaims(['name', 'eduperson_scoped_affiliation', 'eduperson_entitlement']);
      const grantId = await grant.save();
      return provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    }
    return html(`<p class="error">Unexpected step.</p>`, 400);
  }

  function loginForm(uid: string, failed = false): string {
    return (
      `<h1>${escapeHtml(name)}</h1><p>Masuk dengan akun kampus / Sign in with your campus account</p>` +
      (failed
        ? `<p class="error" role="alert">Nama pengguna atau kata sandi salah / Wrong username or password</p>`
        : '') +
      `<form method="post" action="/interaction/${uid}/login">` +
      `<label for="username">Nama pengguna / Username</label><input id="username" name="username" autocomplete="username" required>` +
      `<label for="password">Kata sandi / Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>` +
      `<button type="submit">Masuk / Sign in</button></form>`
    );
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    // Browsers ask for one on every page of the provider.
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm))?$/.exec(path);
    if (match) {
      interaction(req, res, match[1]!, match[2] ?? '').catch(() => {
        if (!res.headersSent)
          res.writeHead(400, { 'Content-Type': 'text/plain' }).end('sign-in step expired');
      });
      return;
    }
    if (path === '/token' && idp.rewriteTokenResponse) {
      interceptJson(res, idp.rewriteTokenResponse);
    }
    handle(req, res);
  });
  return idp;
}

/** Buffers what the provider sends and lets `rewrite` change the JSON body (tests: a mix-up attacker). */
function interceptJson(
  res: ServerResponse,
  rewrite: (body: Record<string, unknown>) => Promise<Record<string, unknown>>,
): void {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = ((chunk: unknown) => {
    if (chunk) chunks.push(Buffer.from(chunk as Buffer));
    return true;
  }) as typeof res.write;
  res.end = ((chunk?: unknown) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Buffer));
    const original = Buffer.concat(chunks).toString('utf8');
    void (async () => {
      let body = original;
      try {
        body = JSON.stringify(await rewrite(JSON.parse(original) as Record<string, unknown>));
      } catch {
        // not JSON: passed on unchanged
      }
      if (!res.headersSent) res.setHeader('Content-Length', Buffer.byteLength(body));
      write(body);
      end();
    })();
    return res;
  }) as typeof res.end;
}
