import { ref } from 'vue'
import { useSession, type Person } from '../../stores/session'

// The names of the community's people, for showing who picks up, who is adjusted, who is a candidate.
// In development the demo people's directory; elsewhere (no directory the desk may read) their ids.
const people = ref<Person[]>([])
let loading: Promise<void> | null = null

export function usePeople(): { people: typeof people; nameOf: (id: string | null | undefined) => string } {
  if (loading === null) {
    loading = useSession()
      .demoPeople()
      .then(
        (found) => void (people.value = found),
        () => undefined,
      )
  }
  const nameOf = (id: string | null | undefined): string =>
    id ? (people.value.find((p) => p.id === id)?.name ?? id) : ''
  return { people, nameOf }
}

/** A whole number typed in a field, or null. */
export function wholeNumber(text: string | number): number | null {
  const value = typeof text === 'number' ? text : Number(String(text).trim())
  return String(text).trim() !== '' && Number.isInteger(value) ? value : null
}
