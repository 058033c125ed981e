// One live event stream per signed-in tab (GET /v1/events), shared by the
// screens: each watches `live.seq` and reloads what the server holds when an
// event for what it shows arrives.
import { reactive } from "vue";
import type { CaseEvent } from "@/gen/docket/v1/events_pb";
import { subscribeEvents } from "./api";

export const live = reactive({
  connected: false,
  seq: 0,                          // +1 per event: watch this.
  last: null as CaseEvent | null,
  position: "",
});

let stop: (() => void) | null = null;

export function startLive(): void {
  if (stop) return;
  stop = subscribeEvents({
    event(position, e) {
      live.position = position;
      live.last = e;
      live.seq++;
    },
    status(c) {
      live.connected = c;
    },
  });
}

export function stopLive(): void {
  stop?.();
  stop = null;
  live.connected = false;
}
