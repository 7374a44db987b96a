import { defineStore } from 'pinia'
import { config } from '../config'
import { ApiFailure, failureOf } from '../api/problem'
import type { User } from 'oidc-client-ts'
import { completeSignIn, endSession, oidcIdentity, startSignIn, userManager } from '../auth/oidc'

export interface Person {
  id: string
  name: string
  roles: string[]
  building_group: number
  language?: string
}

// The token lives in memory only (never localStorage): a reload signs the person out,
// and a script injected into the page finds nothing stored to steal. In development it comes from
// the development issuer (/dev/token); in production from the OpenID Connect provider (auth/oidc.ts).
let listening = false

function personOf(user: User): Person {
  const claims = user.profile
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : []
  return {
    id: claims.sub,
    name: typeof claims.name === 'string' ? claims.name : claims.sub,
    roles,
    building_group: Number(claims.building_group ?? 0),
    ...(typeof claims.locale === 'string' ? { language: claims.locale } : {}),
  }
}

export const useSession = defineStore('session', {
  state: () => ({ token: null as string | null, person: null as Person | null }),
  getters: {
    signedIn: (state) => state.token !== null,
  },
  actions: {
    async demoPeople(): Promise<Person[]> {
      const identity = config().identity
      if (identity.mode !== 'development') return []
      const response = await fetch(identity.people_url).catch(() => null)
      if (response === null || !response.ok) throw await failureOf(response)
      return (await response.json()) as Person[]
    },
    async signInAs(personId: string): Promise<void> {
      const identity = config().identity
      if (identity.mode !== 'development') throw new ApiFailure({ kind: 'unknown' })
      const response = await fetch(identity.token_url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ person: personId }),
      }).catch(() => null)
      if (response === null || !response.ok) throw await failureOf(response)
      const body = (await response.json()) as { access_token: string; person: Person }
      this.token = body.access_token
      this.person = body.person
    },
    /** Production: off to the provider's sign-in page (code + PKCE); back at /auth/callback. */
    async signInWithProvider(next: string): Promise<void> {
      await startSignIn(next)
    },
    /** At /auth/callback: the tokens for the code, and where the person was going. */
    async completeProviderSignIn(): Promise<string> {
      const { user, next } = await completeSignIn()
      this.adopt(user)
      return next
    },
    adopt(user: User): void {
      this.token = user.access_token
      this.person = personOf(user)
      if (listening) return
      listening = true
      const events = userManager().events
      events.addUserLoaded((renewed) => this.adopt(renewed)) // silent renew: the new access token
      events.addAccessTokenExpired(() => {
        this.token = null
        this.person = null
        void import('../router').then(({ router }) => router.replace({ name: 'sign-in' }))
      })
    },
    signOut(): void {
      const provider = this.token !== null && oidcIdentity() !== null
      this.token = null
      this.person = null
      if (provider) void endSession().catch(() => undefined)
    },
  },
})
