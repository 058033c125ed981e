// Phone width or not, for layouts that change shape (steps, charts).
import { onBeforeUnmount, ref, type Ref } from "vue";

export function useNarrow(query = "(max-width: 760px)"): Ref<boolean> {
  const mq = window.matchMedia(query);
  const narrow = ref(mq.matches);
  const on = (e: MediaQueryListEvent) => (narrow.value = e.matches);
  mq.addEventListener("change", on);
  onBeforeUnmount(() => mq.removeEventListener("change", on));
  return narrow;
}
