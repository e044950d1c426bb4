import {
  searchConsole,
  ZSearchConsoleInput,
  ZSearchConsoleOutput,
} from "../../core/search/search-console.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

export const searchRouter = router({
  console: adminProcedure("license.read")
    .meta(
      rest(
        "GET",
        "/search",
        "Search",
        "Find licenses (by key, part of a key or customer name), customers and products",
      ),
    )
    .input(ZSearchConsoleInput)
    .output(ZSearchConsoleOutput)
    .query(({ ctx, input }) => searchConsole(ctx.domain, input)),
});
