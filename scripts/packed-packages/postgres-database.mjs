// Creates or drops the database a README example that needs PostgreSQL runs in, so that every run
// starts empty and leaves nothing behind: `node postgres-database.mjs create|drop <name>`. It runs
// inside the packaging check's ES module project, with the `pg` that @friendhook/postgres brought.
import pg from "pg";

const [action, name] = process.argv.slice(2);
if (!["create", "drop"].includes(action) || !/^[a-z0-9_]+$/.test(name ?? "")) {
  console.error("usage: node postgres-database.mjs create|drop <lower-case name>");
  process.exit(2);
}
const client = new pg.Client({ connectionString: process.env.FRIENDHOOK_CHECK_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" });
await client.connect();
try {
  await client.query(action === "create" ? `CREATE DATABASE ${name}` : `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
} finally {
  await client.end();
}
