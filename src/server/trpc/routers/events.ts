import { listEvents } from "../../core/events/list-events.ts";
import { ZEventPageDto, ZListEventsInput } from "../../core/webhooks/schemas.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

export const eventsRouter = router({
  list: adminProcedure("event.read")
    .meta(
      rest(
        "GET",
        "/events",
        "Events",
        "The event feed: events after a cursor, in order (?after=<nextCursor>)",
      ),
    )
    .input(ZListEventsInput)
    .output(ZEventPageDto)
    .query(({ ctx, input }) => listEvents(ctx.domain, input)),
});
