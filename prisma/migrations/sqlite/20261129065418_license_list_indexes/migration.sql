-- DropIndex
DROP INDEX "License_status_expiresAt_idx";

-- DropIndex
DROP INDEX "License_expiresAt_idx";

-- DropIndex
DROP INDEX "License_createdAt_idx";

-- CreateIndex
CREATE INDEX "License_status_expiresAt_id_idx" ON "License"("status", "expiresAt", "id");

-- CreateIndex
CREATE INDEX "License_expiresAt_id_idx" ON "License"("expiresAt", "id");

-- CreateIndex
CREATE INDEX "License_createdAt_id_idx" ON "License"("createdAt", "id");

-- CreateIndex
CREATE INDEX "License_updatedAt_id_idx" ON "License"("updatedAt", "id");
