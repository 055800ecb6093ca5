import { randomUUID } from 'node:crypto';
import { MSA_TENANT_ID, type SimIdentity } from './SimIdentity.ts';
import { formBody, json, type SimRequest, type SimResponse } from './simHttp.ts';

/**
 * The Entra ID endpoints msal-node uses, answered as Entra answers them: instance discovery, OpenID
 * metadata, keys, device code, token (client credentials with a certificate assertion, device code,
 * refresh token). Work-or-school only: `common` and `consumers` fail as they do for such an app.
 */
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export function oauthError(status: number, error: string, code: number, description: string): SimResponse {
  return json(status, {
    error,
    error_description: `${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString().replace('T', ' ').replace('Z', 'Z'),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

type TenantCheck = { ok: true } | { ok: false; response: SimResponse };

export function handleIdentity(req: SimRequest, id: SimIdentity): SimResponse | undefined {
  const segments = req.url.pathname.split('/').filter(Boolean);
  const host = id.authorityHost;
  const o = id.options;

  if (segments[0] === 'common' && segments[1] === 'discovery' && segments[2] === 'instance') {
    const authority = new URL(id.authorityHost).host;
    return json(200, {
      tenant_discovery_endpoint: `${host}/${o.tenantId}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: authority, preferred_cache: authority, aliases: [authority] }],
    });
  }
  if (segments[0] === 'devicelogin') return deviceLoginPage(req, id);

  const tenant = segments[0];
  if (!tenant) return undefined;
  const rest = segments.slice(1).join('/');
  const known = [
    'v2.0/.well-known/openid-configuration',
    'discovery/v2.0/keys',
    'oauth2/v2.0/token',
    'oauth2/v2.0/devicecode',
    'oauth2/v2.0/authorize',
  ];
  if (!known.includes(rest)) return undefined;

  const tenantLower = tenant.toLowerCase();
  const isOurs =
    tenantLower === o.tenantId.toLowerCase() ||
    tenantLower === o.tenantDomain.toLowerCase() ||
    tenantLower === 'organizations';
  const isMulti = tenantLower === 'common' || tenantLower === 'consumers';

  if (rest === 'v2.0/.well-known/openid-configuration') {
    if (!isOurs && !isMulti)
      return oauthError(
        400,
        'invalid_tenant',
        90002,
        `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    const issuerTenant =
      tenantLower === 'consumers'
        ? MSA_TENANT_ID
        : isMulti || tenantLower === 'organizations'
          ? '{tenantid}'
          : o.tenantId;
    const base = `${host}/${tenant}`;
    return json(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${host}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${host}/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${host}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'nonce',
        'preferred_username',
        'name',
        'tid',
        'ver',
        'oid',
      ],
      kerberos_endpoint: `${base}/kerberos`,
      ...homeCloudMetadata(id, host),
    });
  }
  if (rest === 'discovery/v2.0/keys') return json(200, id.jwks());
  if (rest === 'oauth2/v2.0/authorize') return authorize(req, id, tenant, isOurs);

  if (req.method !== 'POST')
    return oauthError(405, 'invalid_request', 900561, 'AADSTS900561: The endpoint only accepts POST requests.');
  const form = formBody(req);
  const clientId = form.get('client_id') ?? '';
  const tenantCheck = checkTenant(tenant, isOurs, clientId, id);
  if (!tenantCheck.ok) return tenantCheck.response;
  if (clientId.toLowerCase() !== o.clientId.toLowerCase()) {
    return oauthError(
      400,
      'unauthorized_client',
      700016,
      `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${o.tenantDomain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }

  if (rest === 'oauth2/v2.0/devicecode') {
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const granted = grantScopes(scopes, id);
    if ('error' in granted) return granted.error;
    const dc = id.startDeviceCode(scopes);
    const verificationUri = `${host}/devicelogin`;
    return json(200, {
      user_code: dc.userCode,
      device_code: dc.deviceCode,
      verification_uri: verificationUri,
      expires_in: dc.expiresIn,
      interval: dc.interval,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${dc.userCode} to authenticate.`,
    });
  }

  // token endpoint
  const grantType = form.get('grant_type') ?? '';
  const tokenEndpoint = `${host}/${tenant}/oauth2/v2.0/token`;
  if (grantType === 'client_credentials') {
    if (form.get('client_assertion_type') !== JWT_BEARER || !form.get('client_assertion')) {
      return oauthError(
        401,
        'invalid_client',
        7000218,
        "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const check = id.checkClientAssertion(form.get('client_assertion')!, tokenEndpoint);
    if (!check.ok) return oauthError(401, 'invalid_client', check.code, check.message);
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const resourceScopes = scopes.filter((s) => !OIDC_SCOPES.has(s));
    if (resourceScopes.length !== 1 || !resourceScopes[0]!.endsWith('/.default')) {
      return oauthError(
        400,
        'invalid_scope',
        1002012,
        `AADSTS1002012: The provided value for scope ${scopes.join(' ')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = resourceScopes[0]!.slice(0, -'/.default'.length).replace(/\/+$/, '');
    if (resource !== id.graphResource) return invalidResource(resource, o.tenantDomain);
    const at = id.issueAccessToken(
      'app',
      o.signIn?.consentGranted === false ? [] : o.roles,
      id.tokenClaimsFrom(form.get('claims')),
    );
    return json(200, {
      token_type: 'Bearer',
      expires_in: at.expiresIn,
      ext_expires_in: at.expiresIn,
      access_token: at.token,
    });
  }
  if (grantType === DEVICE_CODE_GRANT || grantType === 'device_code') {
    if (o.signIn?.publicClientFlows === false) return publicClientRefused();
    const r = id.redeemDeviceCode(form.get('device_code') ?? '');
    if (r.status === 'ok' && o.signIn?.deviceCodeBlocked) {
      return oauthError(
        400,
        'invalid_grant',
        53003,
        'AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
      );
    }
    if (r.status === 'pending')
      return oauthError(
        400,
        'authorization_pending',
        70016,
        'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
      );
    if (r.status === 'declined')
      return oauthError(
        400,
        'authorization_declined',
        70019,
        'AADSTS70019: The user declined to authorize the request.',
      );
    if (r.status === 'expired')
      return oauthError(
        400,
        'expired_token',
        70020,
        "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
      );
    if (r.status === 'bad')
      return oauthError(
        400,
        'invalid_grant',
        70000,
        "AADSTS70000: The provided value for the 'device_code' is not valid.",
      );
    return userTokens(id, (form.get('scope') ?? '').split(' ').filter(Boolean), r.grantedScopes, form.get('claims'));
  }
  if (grantType === 'authorization_code') {
    if (o.signIn?.redirectPlatform === 'web') return publicClientRefused();
    const r = id.redeemAuthCode(
      form.get('code') ?? '',
      form.get('code_verifier') ?? '',
      form.get('redirect_uri') ?? '',
    );
    if (!r.ok) return oauthError(400, 'invalid_grant', Number(/AADSTS(\d+)/.exec(r.message)?.[1] ?? 70000), r.message);
    return userTokens(id, (form.get('scope') ?? '').split(' ').filter(Boolean), o.scopes, form.get('claims'));
  }
  if (grantType === 'refresh_token') {
    const grant = id.redeemRefreshToken(form.get('refresh_token') ?? '');
    if (!grant)
      return oauthError(
        400,
        'invalid_grant',
        70008,
        'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
      );
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    return userTokens(id, scopes.length ? scopes : grant.scopes, grant.grantedScopes, form.get('claims'));
  }
  return oauthError(
    400,
    'unsupported_grant_type',
    70003,
    `AADSTS70003: The app requested an unsupported grant type '${grantType}'.`,
  );
}

function checkTenant(tenant: string, isOurs: boolean, clientId: string, id: SimIdentity): TenantCheck {
  const t = tenant.toLowerCase();
  if (t === 'common') {
    return {
      ok: false,
      response: oauthError(
        400,
        'invalid_request',
        50194,
        `AADSTS50194: Application '${clientId}'(Autopilot Station) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.`,
      ),
    };
  }
  if (t === 'consumers') {
    return {
      ok: false,
      response: oauthError(
        400,
        'unauthorized_client',
        700016,
        `AADSTS700016: Application with identifier '${clientId}' was not found in the directory 'Microsoft Accounts'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      ),
    };
  }
  if (!isOurs || id.options.homeCloud)
    return {
      ok: false,
      response: oauthError(
        400,
        'invalid_tenant',
        90002,
        `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      ),
    };
  return { ok: true };
}

function invalidResource(resource: string, tenantDomain: string): SimResponse {
  return oauthError(
    400,
    'invalid_resource',
    500011,
    `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${tenantDomain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  );
}

/** Delegated scopes: `{graph}/.default` means everything consented; a named scope must be consented. */
function grantScopes(
  requested: string[],
  id: SimIdentity,
  consented = id.options.scopes,
): { granted: string[] } | { error: SimResponse } {
  const granted = new Set<string>();
  if (id.options.signIn?.consentGranted === false && requested.some((s) => !OIDC_SCOPES.has(s))) {
    return {
      error: oauthError(
        400,
        'invalid_grant',
        65001,
        `AADSTS65001: The user or administrator has not consented to use the application with ID '${id.options.clientId}'. Send an interactive authorization request for this user and resource.`,
      ),
    };
  }
  for (const s of requested) {
    if (OIDC_SCOPES.has(s)) continue;
    const slash = s.lastIndexOf('/');
    const resource = slash > 0 ? s.slice(0, slash).replace(/\/+$/, '') : id.graphResource;
    const name = slash > 0 ? s.slice(slash + 1) : s;
    if (resource !== id.graphResource) return { error: invalidResource(resource, id.options.tenantDomain) };
    if (name === '.default') consented.forEach((c) => granted.add(c));
    else if (consented.includes(name)) granted.add(name);
    else
      return {
        error: oauthError(
          400,
          'invalid_grant',
          65001,
          `AADSTS65001: The user or administrator has not consented to use the application with ID '${id.options.clientId}'. Send an interactive authorization request for this user and resource.`,
        ),
      };
  }
  return { granted: [...granted] };
}

function userTokens(
  id: SimIdentity,
  requested: string[],
  consented: string[],
  claims: string | null = null,
): SimResponse {
  const g = grantScopes(requested, id, consented);
  if ('error' in g) return g.error;
  const at = id.issueAccessToken('user', g.granted, id.tokenClaimsFrom(claims));
  const rt = id.issueRefreshToken({ scopes: requested, grantedScopes: consented });
  return json(200, {
    token_type: 'Bearer',
    scope: [...g.granted.map((s) => `${id.graphResource}/${s}`), 'openid', 'profile', 'offline_access'].join(' '),
    expires_in: at.expiresIn,
    ext_expires_in: at.expiresIn,
    access_token: at.token,
    refresh_token: rt,
    id_token: id.issueIdToken(),
    client_info: id.clientInfo(),
  });
}

/**
 * Browser sign-in (authorization code with PKCE). The simulated technician is already signed in and
 * has consented, so a valid request goes straight back to the app's loopback redirect with a code,
 * as Entra does with an existing session. Errors go back the same way when the redirect is valid.
 */
function authorize(req: SimRequest, id: SimIdentity, tenant: string, isOurs: boolean): SimResponse {
  const q = req.url.searchParams;
  const o = id.options;
  const clientId = q.get('client_id') ?? '';
  const redirectUri = q.get('redirect_uri') ?? '';
  if (clientId.toLowerCase() !== o.clientId.toLowerCase()) {
    return {
      status: 400,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<!doctype html><p>AADSTS700016: Application with identifier '${escapeHtml(clientId)}' was not found in the directory '${escapeHtml(o.tenantDomain)}'.</p>`,
    };
  }
  let back: URL;
  try {
    back = new URL(redirectUri);
  } catch {
    return {
      status: 400,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<!doctype html><p>AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.</p>',
    };
  }
  if (
    back.protocol !== 'http:' ||
    !['localhost', '127.0.0.1'].includes(back.hostname) ||
    o.signIn?.redirectPlatform === 'none'
  ) {
    return {
      status: 400,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<!doctype html><p>AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.</p>',
    };
  }
  // response_mode=form_post (what msal-node asks for): a page that POSTs the answer to the loopback.
  const redirect = (params: Record<string, string>): SimResponse => {
    const state = q.get('state');
    const all = { ...params, ...(state !== null ? { state } : {}) };
    if (q.get('response_mode') === 'form_post') {
      const inputs = Object.entries(all)
        .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
        .join('');
      const html = `<!doctype html><html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${escapeHtml(back.href)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript></form><script>document.forms[0].submit()</script></body></html>`;
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
    }
    for (const [k, v] of Object.entries(all)) back.searchParams.set(k, v);
    return { status: 302, headers: { location: back.href } };
  };
  const t = tenant.toLowerCase();
  if (t === 'common' || t === 'consumers' || !isOurs || o.homeCloud) {
    const check = checkTenant(tenant, isOurs, clientId, id);
    const desc = check.ok
      ? ''
      : String((check.response.body as { error_description: string }).error_description).split('\r\n')[0]!;
    return redirect({
      error: check.ok ? 'invalid_request' : String((check.response.body as { error: string }).error),
      error_description: desc,
    });
  }
  if (q.get('response_type') !== 'code')
    return redirect({
      error: 'unsupported_response_type',
      error_description: 'AADSTS900144: The request body must contain the following parameter: response_type=code.',
    });
  if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
    return redirect({
      error: 'invalid_request',
      error_description:
        'AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.',
    });
  }
  const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
  const granted = grantScopes(scopes, id);
  if ('error' in granted) {
    const b = granted.error.body as { error: string; error_description: string };
    return redirect({ error: b.error, error_description: b.error_description.split('\r\n')[0]! });
  }
  return redirect({
    code: id.issueAuthCode(q.get('code_challenge')!, redirectUri, scopes),
    client_info: id.clientInfo(),
    session_state: randomUUID(),
  });
}

/** A small sign-in page for training mode: the technician types the code shown by the station. */
function deviceLoginPage(req: SimRequest, id: SimIdentity): SimResponse {
  let note = '';
  if (req.method === 'POST') {
    const code = formBody(req).get('otc') ?? '';
    note = id.approveDeviceCode(code)
      ? '<p>Signed in. You can close this page and return to the station.</p>'
      : '<p>That code is not valid or has expired. Check the code and try again.</p>';
  }
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Simulated tenant sign-in</title></head><body>
<h1>Simulated tenant (training) sign-in</h1><p>Signing in as ${escapeHtml(id.options.user.userPrincipalName)}.</p>${note}
<form method="post"><label>Code <input name="otc" autocomplete="off"></label> <button type="submit">Next</button></form></body></html>`;
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; form-action 'self'",
    },
    body: html,
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The token endpoint's answer when the app is not a public client (a Web redirect, or public client flows off). */
function publicClientRefused(): SimResponse {
  return oauthError(
    401,
    'invalid_client',
    7000218,
    "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  );
}

const HOME_CLOUDS = {
  global: { instance: 'microsoftonline.com', region: 'WW', graph: 'graph.microsoft.com' },
  usgov: { instance: 'microsoftonline.us', region: 'USGov', graph: 'graph.microsoft.us' },
  usgovdod: { instance: 'microsoftonline.us', region: 'USGov', graph: 'dod-graph.microsoft.us' },
  china: { instance: 'partner.microsoftonline.cn', region: 'CN', graph: 'microsoftgraph.chinacloudapi.cn' },
} as const;

/**
 * Which cloud the metadata names: this authority's own, or (scenario homeCloud) the national cloud the tenant lives in.
 */
function homeCloudMetadata(id: SimIdentity, host: string): Record<string, string> {
  const home = id.options.homeCloud ? HOME_CLOUDS[id.options.homeCloud] : undefined;
  if (home)
    return {
      tenant_region_scope: home.region,
      cloud_instance_name: home.instance,
      cloud_graph_host_name: home.graph,
      msgraph_host: home.graph,
    };
  const graphHost = new URL(id.graphResource || host).host;
  return {
    tenant_region_scope: 'WW',
    cloud_instance_name: new URL(host).host,
    cloud_graph_host_name: graphHost,
    msgraph_host: graphHost,
  };
}
