-- CreateTable
CREATE TABLE "Policy" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "archivedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Policy_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Policy_trialCustomerId_fkey" FOREIGN KEY ("trialCustomerId") REFERENCES "Customer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PolicyEntitlement" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "policyId" TEXT NOT NULL,
    "featureId" TEXT NOT NULL,
    "quota" INTEGER,
    "quotaPeriod" TEXT NOT NULL DEFAULT 'total',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PolicyEntitlement_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PolicyEntitlement_featureId_fkey" FOREIGN KEY ("featureId") REFERENCES "Feature" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Release" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "productId" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "releasedAt" DATETIME NOT NULL,
    "notes" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Release_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Trial" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "productId" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "licenseId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "components" TEXT NOT NULL DEFAULT '{}',
    "hostname" TEXT NOT NULL DEFAULT '',
    "ip" TEXT,
    "startedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME,
    "convertedAt" DATETIME,
    "convertedLicenseId" TEXT,
    "convertedBy" TEXT,
    CONSTRAINT "Trial_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Trial_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Trial_licenseId_fkey" FOREIGN KEY ("licenseId") REFERENCES "License" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_License" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "key" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "statusReason" TEXT,
    "type" TEXT NOT NULL DEFAULT 'floating',
    "seatLimit" INTEGER NOT NULL DEFAULT 1,
    "startsAt" DATETIME NOT NULL,
    "expiresAt" DATETIME,
    "heartbeatIntervalSeconds" INTEGER NOT NULL DEFAULT 300,
    "gracePeriodHours" INTEGER NOT NULL DEFAULT 72,
    "offlineAllowanceDays" INTEGER NOT NULL DEFAULT 0,
    "policyId" TEXT,
    "overrides" TEXT NOT NULL DEFAULT '[]',
    "durationDays" INTEGER,
    "durationFrom" TEXT NOT NULL DEFAULT 'issue',
    "activatedAt" DATETIME,
    "checkInIntervalDays" INTEGER,
    "lastCheckInAt" DATETIME,
    "expiryStrategy" TEXT NOT NULL DEFAULT 'restrict',
    "overage" TEXT NOT NULL DEFAULT 'none',
    "machineMatching" TEXT NOT NULL DEFAULT 'fingerprint',
    "trial" BOOLEAN NOT NULL DEFAULT false,
    "metadata" TEXT NOT NULL DEFAULT '{}',
    "suspendedAt" DATETIME,
    "revokedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "License_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "License_productId_fkey" FOREIGN KEY ("productId") REFERENCES "Product" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "License_policyId_fkey" FOREIGN KEY ("policyId") REFERENCES "Policy" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_License" ("createdAt", "customerId", "expiresAt", "gracePeriodHours", "heartbeatIntervalSeconds", "id", "key", "metadata", "offlineAllowanceDays", "productId", "revokedAt", "seatLimit", "startsAt", "status", "statusReason", "suspendedAt", "type", "updatedAt") SELECT "createdAt", "customerId", "expiresAt", "gracePeriodHours", "heartbeatIntervalSeconds", "id", "key", "metadata", "offlineAllowanceDays", "productId", "revokedAt", "seatLimit", "startsAt", "status", "statusReason", "suspendedAt", "type", "updatedAt" FROM "License";
DROP TABLE "License";
ALTER TABLE "new_License" RENAME TO "License";
CREATE UNIQUE INDEX "License_key_key" ON "License"("key");
CREATE INDEX "License_customerId_createdAt_idx" ON "License"("customerId", "createdAt");
CREATE INDEX "License_productId_idx" ON "License"("productId");
CREATE INDEX "License_policyId_idx" ON "License"("policyId");
CREATE INDEX "License_trial_createdAt_idx" ON "License"("trial", "createdAt");
CREATE INDEX "License_status_expiresAt_id_idx" ON "License"("status", "expiresAt", "id");
CREATE INDEX "License_expiresAt_id_idx" ON "License"("expiresAt", "id");
CREATE INDEX "License_createdAt_id_idx" ON "License"("createdAt", "id");
CREATE INDEX "License_updatedAt_id_idx" ON "License"("updatedAt", "id");
CREATE TABLE "new_MachineBinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "licenseId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "hostname" TEXT NOT NULL DEFAULT '',
    "components" TEXT NOT NULL DEFAULT '{}',
    "boundAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    CONSTRAINT "MachineBinding_licenseId_fkey" FOREIGN KEY ("licenseId") REFERENCES "License" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_MachineBinding" ("boundAt", "fingerprint", "hostname", "id", "lastSeenAt", "licenseId") SELECT "boundAt", "fingerprint", "hostname", "id", "lastSeenAt", "licenseId" FROM "MachineBinding";
DROP TABLE "MachineBinding";
ALTER TABLE "new_MachineBinding" RENAME TO "MachineBinding";
CREATE UNIQUE INDEX "MachineBinding_licenseId_fingerprint_key" ON "MachineBinding"("licenseId", "fingerprint");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

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
