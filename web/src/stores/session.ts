import { defineStore } from 'pinia'
import { config } from '../config'
import { ApiFailure, failureOf } from '../api/problem'

export interface Person {
  id: string
  name: string
  roles: string[]
  building_group: number
  language?: string
}

// The token lives in memory only (never localStorage): a reload signs the person out,
// and a script injected into the page finds nothing stored to steal.
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
    signOut(): void {
      this.token = null
      this.person = null
    },
  },
})
