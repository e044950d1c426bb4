#!/bin/sh
# Stand-in for Prisma's Rust schema engine, which cannot be downloaded here (or on an air-gapped
# host). `prisma generate`, `validate` and `format` never run it; anything that would has to go
# through the project's own commands, which use the WebAssembly schema engine.
echo "The Prisma schema engine binary is not used in this project." >&2
echo "Apply migrations with 'npm run db:migrate'; create one with 'npm run db:migration:create -- <name>'." >&2
exit 1
