-- AlterTable
ALTER TABLE "Session" ADD COLUMN "graceUntil" DATETIME;

-- CreateIndex
CREATE INDEX "Session_licenseId_graceUntil_idx" ON "Session"("licenseId", "graceUntil");
