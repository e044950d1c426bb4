-- AlterTable
ALTER TABLE "UsageRecord" ADD COLUMN     "usedAfter" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "MachineBinding" (
    "id" TEXT NOT NULL,
    "licenseId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "hostname" TEXT NOT NULL DEFAULT '',
    "boundAt" TIMESTAMP(3) NOT NULL,
    "lastSeenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MachineBinding_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "MachineBinding_licenseId_fingerprint_key" ON "MachineBinding"("licenseId", "fingerprint");

-- AddForeignKey
ALTER TABLE "MachineBinding" ADD CONSTRAINT "MachineBinding_licenseId_fkey" FOREIGN KEY ("licenseId") REFERENCES "License"("id") ON DELETE CASCADE ON UPDATE CASCADE;
