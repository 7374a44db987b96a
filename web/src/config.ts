// The runtime configuration, read once before the app mounts: the same build runs under
// `make run`, docker compose and Kubernetes, each serving its own /config.json.
export interface RuntimeConfig {
  community: { id: string; name: Record<string, string> }
  services: Record<string, string>
  identity: DevelopmentIdentity | OidcIdentity
}

export interface DevelopmentIdentity {
  mode: 'development'
  people_url: string
  token_url: string
}

/** The community's OpenID Connect provider; the redirect URIs are the app's own origin + /auth/callback and
 * /sign-in. Without authority and client_id (a deployment not configured yet) nobody can sign in. */
export interface OidcIdentity {
  mode: 'oidc'
  authority?: string
  client_id?: string
  scope?: string
}

let loaded: RuntimeConfig | null = null

export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' })
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`)
  loaded = (await response.json()) as RuntimeConfig
  return loaded
}

export function config(): RuntimeConfig {
  if (loaded === null) throw new Error('config.json is not loaded yet')
  return loaded
}

export function serviceUrl(name: string): string {
  const url = config().services[name]
  if (!url) throw new Error(`config.json names no URL for ${name}`)
  return url
}
