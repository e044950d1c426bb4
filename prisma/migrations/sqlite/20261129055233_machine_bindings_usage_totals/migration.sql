-- CreateTable
CREATE TABLE "MachineBinding" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "licenseId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "hostname" TEXT NOT NULL DEFAULT '',
    "boundAt" DATETIME NOT NULL,
    "lastSeenAt" DATETIME NOT NULL,
    CONSTRAINT "MachineBinding_licenseId_fkey" FOREIGN KEY ("licenseId") REFERENCES "License" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_UsageRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "licenseId" TEXT NOT NULL,
    "featureId" TEXT NOT NULL,
    "sessionId" TEXT,
    "amount" INTEGER NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "usedAfter" BIGINT NOT NULL DEFAULT 0,
    "recordedAt" DATETIME NOT NULL,
    CONSTRAINT "UsageRecord_licenseId_fkey" FOREIGN KEY ("licenseId") REFERENCES "License" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "UsageRecord_featureId_fkey" FOREIGN KEY ("featureId") REFERENCES "Feature" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "UsageRecord_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_UsageRecord" ("amount", "featureId", "id", "idempotencyKey", "licenseId", "recordedAt", "sessionId") SELECT "amount", "featureId", "id", "idempotencyKey", "licenseId", "recordedAt", "sessionId" FROM "UsageRecord";
DROP TABLE "UsageRecord";
ALTER TABLE "new_UsageRecord" RENAME TO "UsageRecord";
CREATE INDEX "UsageRecord_licenseId_featureId_recordedAt_idx" ON "UsageRecord"("licenseId", "featureId", "recordedAt");
CREATE INDEX "UsageRecord_sessionId_idx" ON "UsageRecord"("sessionId");
CREATE UNIQUE INDEX "UsageRecord_licenseId_idempotencyKey_key" ON "UsageRecord"("licenseId", "idempotencyKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "MachineBinding_licenseId_fingerprint_key" ON "MachineBinding"("licenseId", "fingerprint");
