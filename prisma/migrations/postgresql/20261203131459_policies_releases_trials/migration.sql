-- AlterTable
ALTER TABLE "License" ADD COLUMN     "activatedAt" TIMESTAMP(3),
ADD COLUMN     "checkInIntervalDays" INTEGER,
ADD COLUMN     "durationDays" INTEGER,
ADD COLUMN     "durationFrom" TEXT NOT NULL DEFAULT 'issue',
ADD COLUMN     "expiryStrategy" TEXT NOT NULL DEFAULT 'restrict',
ADD COLUMN     "lastCheckInAt" TIMESTAMP(3),
ADD COLUMN     "machineMatching" TEXT NOT NULL DEFAULT 'fingerprint',
ADD COLUMN     "overage" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "overrides" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "policyId" TEXT,
ADD COLUMN     "trial" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "MachineBinding" ADD COLUMN     "components" TEXT NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "Policy" (
    "id" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "kind" TEXT NOT NULL DEFAULT 'standard',
    "type" TEXT NOT NULL,
    "seatLimit" INTEGER NOT NULL,
    "durationDays" INTEGER,
    "durationFrom" TEXT NOT NULL DEFAULT 'issue',
    "heartbeatIntervalSeconds" INTEGER NOT NULL,
    "gracePeriodHours" INTEGER NOT NULL,
    "offlineAllowanceDays" INTEGER NOT NULL,
    "checkInIntervalDays" INTEGER,
    "expiryStrategy" TEXT NOT NULL DEFAULT 'restrict',
    "overage" TEXT NOT NULL DEFAULT 'none',
    "machineMatching" TEXT NOT NULL DEFAULT 'fingerprint',
    "trialCustomerId" TEXT,
    "archivedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Policy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PolicyEntitlement" (
    "id" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "featureId" TEXT NOT NULL,
    "quota" INTEGER,
    "quotaPeriod" TEXT NOT NULL DEFAULT 'total',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PolicyEntitlement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Release" (
    "id" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "releasedAt" TIMESTAMP(3) NOT NULL,
    "notes" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Release_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Trial" (
    "id" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "licenseId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "components" TEXT NOT NULL DEFAULT '{}',
    "hostname" TEXT NOT NULL DEFAULT '',
    "ip" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "convertedAt" TIMESTAMP(3),
    "convertedLicenseId" TEXT,
    "convertedBy" TEXT,

    CONSTRAINT "Trial_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Policy_productId_kind_idx" ON "Policy"("productId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "Policy_productId_name_key" ON "Policy"("productId", "name");

-- CreateIndex
CREATE INDEX "PolicyEntitlement_featureId_idx" ON "PolicyEntitlement"("featureId");

-- CreateIndex
CREATE UNIQUE INDEX "PolicyEntitlement_policyId_featureId_key" ON "PolicyEntitlement"("policyId", "featureId");

-- CreateIndex
CREATE INDEX "Release_productId_releasedAt_idx" ON "Release"("productId", "releasedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Release_productId_version_key" ON "Release"("productId", "version");

-- CreateIndex
CREATE UNIQUE INDEX "Trial_licenseId_key" ON "Trial"("licenseId");

-- CreateIndex
CREATE INDEX "Trial_productId_fingerprint_idx" ON "Trial"("productId", "fingerprint");

-- CreateIndex
CREATE INDEX "Trial_productId_startedAt_idx" ON "Trial"("productId", "startedAt");

-- CreateIndex
CREATE INDEX "Trial_convertedAt_idx" ON "Trial"("convertedAt");

-- CreateIndex
CREATE INDEX "License_policyId_idx" ON "License"("policyId");

-- CreateIndex
CREATE INDEX "License_trial_createdAt_idx" ON "License"("trial", "createdAt");

-- AddForeignKey
ALTER TABLE "Policy" ADD CONSTRAINT "Policy_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Policy" ADD CONSTRAINT "Policy_trialCustomerId_fkey" FOREIGN KEY ("trialCustomerId") REFERENCES "Customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PolicyEntitlement" ADD CONSTRAINT "PolicyEntitlement_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PolicyEntitlement" ADD CONSTRAINT "PolicyEntitlement_featureId_fkey" FOREIGN KEY ("featureId") REFERENCES "Feature"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Release" ADD CONSTRAINT "Release_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Trial" ADD CONSTRAINT "Trial_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Trial" ADD CONSTRAINT "Trial_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Trial" ADD CONSTRAINT "Trial_licenseId_fkey" FOREIGN KEY ("licenseId") REFERENCES "License"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "License" ADD CONSTRAINT "License_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
