-- CreateTable
CREATE TABLE "LicenseActivityBucket" (
    "licenseId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "validations" INTEGER NOT NULL DEFAULT 0,
    "refused" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("licenseId", "at"),
    CONSTRAINT "LicenseActivityBucket_licenseId_fkey" FOREIGN KEY ("licenseId") REFERENCES "License" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
