import { createGroup } from "../../core/groups/create-group.ts";
import { ZCreateGroupInput, ZUpdateGroupInput } from "../../core/groups/schemas.ts";
import { deleteGroup, ZDeleteGroupInput } from "../../core/groups/delete-group.ts";
import { getGroup, ZGetGroupInput } from "../../core/groups/get-group.ts";
import { listGroups, ZListGroupsInput } from "../../core/groups/list-groups.ts";
import { ZGroupDto } from "../../core/groups/select.ts";
import { updateGroup } from "../../core/groups/update-group.ts";
import { zPage } from "../../core/shared/schemas.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";
import { ZDeleted } from "./catalog.ts";

export const groupsRouter = router({
  list: adminProcedure("group.read")
    .meta(rest("GET", "/groups", "Groups", "List your groups (super admin: all)"))
    .input(ZListGroupsInput)
    .output(zPage(ZGroupDto))
    .query(({ ctx, input }) => listGroups(ctx.domain, input)),
  get: adminProcedure("group.read")
    .meta(rest("GET", "/groups/{id}", "Groups", "Get a group"))
    .input(ZGetGroupInput)
    .output(ZGroupDto)
    .query(({ ctx, input }) => getGroup(ctx.domain, input)),
  create: adminProcedure("group.write")
    .meta(rest("POST", "/groups", "Groups", "Create a group"))
    .input(ZCreateGroupInput)
    .output(ZGroupDto)
    .mutation(({ ctx, input }) => createGroup(ctx.domain, input)),
  update: adminProcedure("group.write")
    .meta(rest("PATCH", "/groups/{id}", "Groups", "Rename or describe a group"))
    .input(ZUpdateGroupInput)
    .output(ZGroupDto)
    .mutation(({ ctx, input }) => updateGroup(ctx.domain, input)),
  delete: adminProcedure("group.write")
    .meta(rest("DELETE", "/groups/{id}", "Groups", "Delete an empty group"))
    .input(ZDeleteGroupInput)
    .output(ZDeleted)
    .mutation(({ ctx, input }) => deleteGroup(ctx.domain, input)),
});
