import { z } from "zod";
import { createFeature } from "../../core/features/create-feature.ts";
import { ZCreateFeatureInput, ZUpdateFeatureInput } from "../../core/features/schemas.ts";
import { deleteFeature, ZDeleteFeatureInput } from "../../core/features/delete-feature.ts";
import { listFeatures, ZListFeaturesInput } from "../../core/features/list-features.ts";
import { ZFeatureDto } from "../../core/features/select.ts";
import { updateFeature } from "../../core/features/update-feature.ts";
import { archiveProduct, ZArchiveProductInput } from "../../core/products/archive-product.ts";
import { createProduct } from "../../core/products/create-product.ts";
import { ZCreateProductInput } from "../../core/products/schemas.ts";
import { deleteProduct, ZDeleteProductInput } from "../../core/products/delete-product.ts";
import { getProduct, ZGetProductInput } from "../../core/products/get-product.ts";
import { listProducts, ZListProductsInput } from "../../core/products/list-products.ts";
import { ZProductDto } from "../../core/products/select.ts";
import { updateProduct, ZUpdateProductInput } from "../../core/products/update-product.ts";
import { zPage } from "../../core/shared/schemas.ts";
import { adminProcedure, router } from "../init.ts";
import { rest } from "../procedure.ts";

const ZDeleted = z.object({ id: z.string() });
export { ZDeleted };

export const productsRouter = router({
  list: adminProcedure("catalog.read")
    .meta(rest("GET", "/products", "Products", "List products"))
    .input(ZListProductsInput)
    .output(zPage(ZProductDto))
    .query(({ ctx, input }) => listProducts(ctx.domain, input)),
  get: adminProcedure("catalog.read")
    .meta(rest("GET", "/products/{id}", "Products", "Get a product"))
    .input(ZGetProductInput)
    .output(ZProductDto)
    .query(({ ctx, input }) => getProduct(ctx.domain, input)),
  create: adminProcedure("catalog.write")
    .meta(rest("POST", "/products", "Products", "Create a product"))
    .input(ZCreateProductInput)
    .output(ZProductDto)
    .mutation(({ ctx, input }) => createProduct(ctx.domain, input)),
  update: adminProcedure("catalog.write")
    .meta(rest("PATCH", "/products/{id}", "Products", "Rename or describe a product"))
    .input(ZUpdateProductInput)
    .output(ZProductDto)
    .mutation(({ ctx, input }) => updateProduct(ctx.domain, input)),
  archive: adminProcedure("catalog.write")
    .meta(rest("POST", "/products/{id}/archive", "Products", "Archive (or restore) a product"))
    .input(ZArchiveProductInput)
    .output(ZProductDto)
    .mutation(({ ctx, input }) => archiveProduct(ctx.domain, input)),
  delete: adminProcedure("catalog.write")
    .meta(rest("DELETE", "/products/{id}", "Products", "Delete a product without active licenses"))
    .input(ZDeleteProductInput)
    .output(ZDeleted)
    .mutation(({ ctx, input }) => deleteProduct(ctx.domain, input)),
});

export const featuresRouter = router({
  list: adminProcedure("catalog.read")
    .meta(rest("GET", "/products/{productId}/features", "Features", "List a product's features"))
    .input(ZListFeaturesInput)
    .output(z.array(ZFeatureDto))
    .query(({ ctx, input }) => listFeatures(ctx.domain, input)),
  create: adminProcedure("catalog.write")
    .meta(rest("POST", "/products/{productId}/features", "Features", "Add a feature to a product"))
    .input(ZCreateFeatureInput)
    .output(ZFeatureDto)
    .mutation(({ ctx, input }) => createFeature(ctx.domain, input)),
  update: adminProcedure("catalog.write")
    .meta(rest("PATCH", "/features/{id}", "Features", "Edit a feature"))
    .input(ZUpdateFeatureInput)
    .output(ZFeatureDto)
    .mutation(({ ctx, input }) => updateFeature(ctx.domain, input)),
  delete: adminProcedure("catalog.write")
    .meta(rest("DELETE", "/features/{id}", "Features", "Delete an unused feature"))
    .input(ZDeleteFeatureInput)
    .output(ZDeleted)
    .mutation(({ ctx, input }) => deleteFeature(ctx.domain, input)),
});
