// Offline license files: checking one out (the file comes back as text in JSON; the download route
// POST /api/licenses/{id}/checkout serves it as a file) and the list of what was checked out.
import {
  checkoutLicenseFile,
  ZCheckoutLicenseFileInput,
  ZLicenseFileCheckout,
} from "../../core/offline/checkout-license-file.ts";
import {
  listOfflineIssuances,
  ZListOfflineIssuancesInput,
} from "../../core/offline/list-offline-issuances.ts";
import { ZOfflineIssuanceDto } from "../../core/offline/select.ts";
import { zPage } from "../../core/shared/schemas.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

export const offlineRouter = router({
  checkout: adminProcedure("license.checkout")
    .meta(
      rest(
        "POST",
        "/licenses/{id}/checkout",
        "Offline",
        "Check out a signed offline license file (.lic), optionally bound to a machine and encrypted",
      ),
    )
    .input(ZCheckoutLicenseFileInput)
    .output(ZLicenseFileCheckout)
    .mutation(({ ctx, input }) => checkoutLicenseFile(ctx.domain, input)),
  issuances: adminProcedure("license.read")
    .meta(
      rest("GET", "/licenses/{id}/offline-issuances", "Offline", "Offline files checked out for a license"),
    )
    .input(ZListOfflineIssuancesInput)
    .output(zPage(ZOfflineIssuanceDto))
    .query(({ ctx, input }) => listOfflineIssuances(ctx.domain, input)),
});
