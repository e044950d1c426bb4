import { archiveCustomer, ZArchiveCustomerInput } from "../../core/customers/archive-customer.ts";
import { createCustomer } from "../../core/customers/create-customer.ts";
import { ZCreateCustomerInput, ZUpdateCustomerInput } from "../../core/customers/schemas.ts";
import { deleteCustomer, ZDeleteCustomerInput } from "../../core/customers/delete-customer.ts";
import { getCustomer, ZGetCustomerInput } from "../../core/customers/get-customer.ts";
import { listCustomers, ZListCustomersInput } from "../../core/customers/list-customers.ts";
import { ZCustomerDto } from "../../core/customers/select.ts";
import { updateCustomer } from "../../core/customers/update-customer.ts";
import { zPage } from "../../core/shared/schemas.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";
import { ZDeleted } from "./catalog.ts";

export const customersRouter = router({
  list: adminProcedure("customer.read")
    .meta(rest("GET", "/customers", "Customers", "Search, sort and page through customers"))
    .input(ZListCustomersInput)
    .output(zPage(ZCustomerDto))
    .query(({ ctx, input }) => listCustomers(ctx.domain, input)),
  get: adminProcedure("customer.read")
    .meta(rest("GET", "/customers/{id}", "Customers", "Get a customer"))
    .input(ZGetCustomerInput)
    .output(ZCustomerDto)
    .query(({ ctx, input }) => getCustomer(ctx.domain, input)),
  create: adminProcedure("customer.write")
    .meta(rest("POST", "/customers", "Customers", "Create a customer"))
    .input(ZCreateCustomerInput)
    .output(ZCustomerDto)
    .mutation(({ ctx, input }) => createCustomer(ctx.domain, input)),
  update: adminProcedure("customer.write")
    .meta(rest("PATCH", "/customers/{id}", "Customers", "Edit or move a customer"))
    .input(ZUpdateCustomerInput)
    .output(ZCustomerDto)
    .mutation(({ ctx, input }) => updateCustomer(ctx.domain, input)),
  archive: adminProcedure("customer.delete")
    .meta(rest("POST", "/customers/{id}/archive", "Customers", "Archive (or restore) a customer"))
    .input(ZArchiveCustomerInput)
    .output(ZCustomerDto)
    .mutation(({ ctx, input }) => archiveCustomer(ctx.domain, input)),
  delete: adminProcedure("customer.delete")
    .meta(rest("DELETE", "/customers/{id}", "Customers", "Delete a customer without active licenses"))
    .input(ZDeleteCustomerInput)
    .output(ZDeleted)
    .mutation(({ ctx, input }) => deleteCustomer(ctx.domain, input)),
});
