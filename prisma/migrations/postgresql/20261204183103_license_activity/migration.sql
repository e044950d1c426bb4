-- CreateTable
CREATE TABLE "LicenseActivityBucket" (
    "licenseId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "validations" INTEGER NOT NULL DEFAULT 0,
    "refused" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "LicenseActivityBucket_pkey" PRIMARY KEY ("licenseId","at")
);

-- AddForeignKey
ALTER TABLE "LicenseActivityBucket" ADD CONSTRAINT "LicenseActivityBucket_licenseId_fkey" FOREIGN KEY ("licenseId") REFERENCES "License"("id") ON DELETE CASCADE ON UPDATE CASCADE;
