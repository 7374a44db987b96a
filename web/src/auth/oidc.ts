import { InMemoryWebStorage, UserManager, WebStorageStateStore, type User } from 'oidc-client-ts'
import { config, type OidcIdentity } from '../config'

// Production sign-in: OpenID Connect authorization code with PKCE (S256) against the community's provider.
// The tokens live in this tab's memory only (userStore on InMemoryWebStorage, never localStorage): a reload
// forgets them and the person signs in again (one tap while the provider still knows them). Only the
// transient state of a redirect (state, nonce, PKCE code_verifier) crosses it, in this tab's sessionStorage,
// and oidc-client-ts removes it at the callback.
export const CALLBACK_PATH = '/auth/callback'
export const SIGNED_OUT_PATH = '/sign-in'

let manager: UserManager | null = null

/** The provider config.json names, or null when this deployment has none (development, or not configured). */
export function oidcIdentity(): (OidcIdentity & { authority: string; client_id: string }) | null {
  const identity = config().identity
  if (identity.mode !== 'oidc' || !identity.authority || !identity.client_id) return null
  return { ...identity, authority: identity.authority, client_id: identity.client_id }
}

export function userManager(): UserManager {
  if (manager !== null) return manager
  const identity = oidcIdentity()
  if (identity === null) throw new Error('config.json names no OpenID Connect provider')
  const origin = window.location.origin
  manager = new UserManager({
    authority: identity.authority,
    client_id: identity.client_id,
    scope: identity.scope ?? 'openid profile',
    response_type: 'code',
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}${SIGNED_OUT_PATH}`,
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage, prefix: 'linli.oidc.' }),
    // Renewed a minute before the access token expires, with the refresh token the provider gave
    // (a public client's rotating refresh token, kept in memory like the rest).
    automaticSilentRenew: true,
    loadUserInfo: false,
  })
  return manager
}

export async function startSignIn(next: string): Promise<void> {
  await userManager().signinRedirect({ state: { next } })
}

/** Completes the redirect back from the provider: the code is exchanged (with the PKCE verifier) for tokens. */
export async function completeSignIn(): Promise<{ user: User; next: string }> {
  const user = await userManager().signinRedirectCallback()
  const next = (user.state as { next?: unknown } | undefined)?.next
  return { user, next: typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/' }
}

/** Ends the session at the provider when it has an end_session_endpoint (the browser goes there and comes
 * back to /sign-in), else forgets the tokens here only. */
export async function endSession(): Promise<void> {
  const signOut = userManager()
  const endpoint = await signOut.metadataService.getEndSessionEndpoint().catch(() => undefined)
  if (endpoint) await signOut.signoutRedirect()
  else await signOut.removeUser()
}
