-- CreateTable
CREATE TABLE "ActivityBucket" (
    "at" DATETIME NOT NULL PRIMARY KEY,
    "validations" INTEGER NOT NULL DEFAULT 0,
    "refused" INTEGER NOT NULL DEFAULT 0,
    "activeSessions" INTEGER NOT NULL DEFAULT 0
);
