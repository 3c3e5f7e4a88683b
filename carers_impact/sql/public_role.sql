-- The public view's database role: it may read the published, disclosure-controlled
-- figures (public_measure_values, public_periods) and nothing else, and it cannot write anything.
--
-- Run it as the owner of the schema's tables (the role that runs the migrations),
-- after `carers-impact db-upgrade`, with psql:
--
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 \
--        -v role=carers_public -v password='a long random password' \
--        -v schema=public -v dbname=carers \
--        -f carers_impact/sql/public_role.sql
--
-- or from Python with carers_impact.public_role.create_public_role(engine, ...).
-- Then set CARERS_PUBLIC_DB_URL to a URL that signs in as this role.

-- A login role with no special powers and no inherited privileges.
CREATE ROLE :"role" WITH LOGIN PASSWORD :'password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 50;

-- It may connect and look up names in the schema, but not create anything there.
GRANT CONNECT ON DATABASE :"dbname" TO :"role";
GRANT USAGE ON SCHEMA :"schema" TO :"role";
REVOKE CREATE ON SCHEMA :"schema" FROM :"role";

-- No privilege on any table, view or sequence of the schema, for this role or for
-- everyone (PUBLIC, which every role belongs to)...
REVOKE ALL ON ALL TABLES IN SCHEMA :"schema" FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA :"schema" FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA :"schema" FROM :"role";
REVOKE ALL ON ALL SEQUENCES IN SCHEMA :"schema" FROM :"role";

-- ...except reading the published figures and when each quarter was published.
GRANT SELECT ON TABLE :"schema".public_measure_values TO :"role";
GRANT SELECT ON TABLE :"schema".public_periods TO :"role";

-- Tables the owner creates later (new migrations) are not readable either.
ALTER DEFAULT PRIVILEGES IN SCHEMA :"schema" REVOKE ALL ON TABLES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA :"schema" REVOKE ALL ON TABLES FROM :"role";
ALTER DEFAULT PRIVILEGES IN SCHEMA :"schema" REVOKE ALL ON SEQUENCES FROM :"role";

-- Every session of the role is read-only, finds the tables without a schema
-- prefix, and cannot hold the database with a runaway query.
ALTER ROLE :"role" SET default_transaction_read_only = on;
ALTER ROLE :"role" SET search_path = :"schema";
ALTER ROLE :"role" SET statement_timeout = '30s';
