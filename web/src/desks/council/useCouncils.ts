import { computed, ref } from 'vue'
import { deliberation, unwrap } from '../../api/client'
import type { components } from '../../api/deliberation'
import { useSession } from '../../stores/session'

export type Council = components['schemas']['Council']
export type Member = components['schemas']['Member']
export type Session = components['schemas']['Session']
export type AgendaItem = components['schemas']['AgendaItem']
export type Motion = components['schemas']['Motion']
export type Decision = components['schemas']['Decision']
export type Mode = Session['mode']
export type Party = Member['party']

export const MODES: readonly Mode[] = ['in_person', 'visiting', 'door_to_door', 'online']
export const PARTIES: readonly Party[] = [
  'party_branch', 'residents_committee', 'volunteer_alliance', 'property_management', 'social_organization', 'police',
  'resident',
]
const OFFICERS = ['chair', 'vice_chair', 'secretary']

/** The councils of the community with their members; whether the signed-in person is an officer of one. */
export function useCouncils() {
  const session = useSession()
  const councils = ref<Council[]>([])
  const members = ref<Record<string, Member[]>>({})

  async function loadCouncils(): Promise<void> {
    councils.value = unwrap(await deliberation().GET('/councils'))
    const lists = await Promise.all(
      councils.value.map(async (c) =>
        unwrap(await deliberation().GET('/councils/{council_id}/members', { params: { path: { council_id: c.id } } }))),
    )
    members.value = Object.fromEntries(councils.value.map((c, i) => [c.id, lists[i] ?? []]))
  }

  const me = computed(() => session.person?.id ?? '')
  const isAdmin = computed(() => session.person?.roles.includes('admin') ?? false)
  function isOfficer(councilId: string): boolean {
    return isAdmin.value || (members.value[councilId] ?? []).some((m) => m.person_id === me.value && OFFICERS.includes(m.position))
  }
  function nameOf(councilId: string, personId: string | null | undefined): string {
    if (!personId) return ''
    return (members.value[councilId] ?? []).find((m) => m.person_id === personId)?.name ?? personId
  }
  return { councils, members, loadCouncils, isOfficer, nameOf, me }
}
