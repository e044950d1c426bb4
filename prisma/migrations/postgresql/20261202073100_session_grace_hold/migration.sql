-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "graceUntil" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Session_licenseId_graceUntil_idx" ON "Session"("licenseId", "graceUntil");
