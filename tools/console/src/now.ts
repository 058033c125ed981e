// A clock for countdowns and live badges: one shared ref, ticking while used.
import { onBeforeUnmount, onMounted, ref, type Ref } from "vue";

export function useNow(everyMs = 1000): Ref<Date> {
  const now = ref(new Date());
  let timer: number | undefined;
  onMounted(() => {
    timer = window.setInterval(() => (now.value = new Date()), everyMs);
  });
  onBeforeUnmount(() => window.clearInterval(timer));
  return now;
}
