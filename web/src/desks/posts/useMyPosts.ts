import { ref } from 'vue'
import { shifts, unwrap } from '../../api/client'
import type { components } from '../../api/shifts'
import { useSession } from '../../stores/session'

export type Post = components['schemas']['PostOut']
export type PostType = Post['post_type']
export type Shift = components['schemas']['ShiftOut']
export type RosterEntry = components['schemas']['RosterEntry']
export type Template = components['schemas']['TemplateOut']
export type Volunteer = components['schemas']['VolunteerOut']

// The posts the signed-in person leads: the desk shows only their shifts (the service lets a leader confirm
// only their own post's shifts, and see only their roster).
const chosen = ref<PostType | null>(null)

export function useMyPosts() {
  const me = useSession().person?.id ?? ''
  const posts = ref<Post[]>([])
  async function loadPosts(): Promise<void> {
    posts.value = unwrap(await shifts().GET('/posts')).filter((p) => p.leader_ids.includes(me))
    if (!posts.value.some((p) => p.post_type === chosen.value)) chosen.value = posts.value[0]?.post_type ?? null
  }
  return { posts, chosen, loadPosts, me }
}
