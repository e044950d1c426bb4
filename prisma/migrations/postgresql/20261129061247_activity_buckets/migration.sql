-- CreateTable
CREATE TABLE "ActivityBucket" (
    "at" TIMESTAMP(3) NOT NULL,
    "validations" INTEGER NOT NULL DEFAULT 0,
    "refused" INTEGER NOT NULL DEFAULT 0,
    "activeSessions" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ActivityBucket_pkey" PRIMARY KEY ("at")
);
