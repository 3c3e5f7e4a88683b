-- The public view's database role: it may read the published, disclosure-controlled
-- tables (PUBLIC_TABLES: the figures, and when each quarter was published) and
-- nothing else; it cannot write anything, not even temporary tables or large
-- objects; it connects to this database only and sees no table statistics.
--
-- Run it as a superuser, connected to the product's database, after
-- `carers-impact db-upgrade` (it changes privileges on this database, on the other
-- databases of the cluster and on pg_catalog's statistics views, which only a
-- superuser may do), with psql:
--
--   psql "$SUPERUSER_URL_TO_THE_DATABASE" -v ON_ERROR_STOP=1 \
--        -v role=carers_public -v password='a long random password' \
--        -v owner=carers -v schema=public -v dbname=carers \
--        -v tables=public.public_measure_values,public.public_periods -v connection_limit=20 \
--        -f carers_impact/sql/public_role.sql
--
-- or from Python with carers_impact.public_role.create_public_role(engine, ...),
-- which fills in `tables` from PUBLIC_TABLES. Then set CARERS_PUBLIC_DB_URL to a
-- URL that signs in as this role.

-- A login role with no special powers, no inherited privileges and few connections.
CREATE ROLE :"role" WITH LOGIN PASSWORD :'password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT :connection_limit;

-- The blocks below read the names from these settings (psql fills in no variables
-- inside a DO block).
SELECT set_config('carers.public_role', :'role', false),
       set_config('carers.owner', :'owner', false);

-- It may connect to this database and look up names in the schema, but not create
-- anything there, nor temporary tables: TEMPORARY is granted to PUBLIC (every role)
-- by default, so it is taken from PUBLIC and given back to the tables' owner.
GRANT CONNECT ON DATABASE :"dbname" TO :"role";
REVOKE TEMPORARY ON DATABASE :"dbname" FROM PUBLIC;
REVOKE TEMPORARY ON DATABASE :"dbname" FROM :"role";
GRANT TEMPORARY ON DATABASE :"dbname" TO :"owner";
GRANT USAGE ON SCHEMA :"schema" TO :"role";
REVOKE CREATE ON SCHEMA :"schema" FROM :"role";

-- No other database of the cluster: CONNECT is granted to PUBLIC by default. Every
-- other login role that may connect to a database now keeps that right, granted to
-- it by name; only this role, and roles made later, lose it.
DO $$
DECLARE
    target name := current_setting('carers.public_role');
    database_name name;
    login_role name;
BEGIN
    FOR database_name IN
        SELECT datname FROM pg_database
        WHERE datname <> current_database() AND datallowconn
        ORDER BY datname
    LOOP
        FOR login_role IN
            SELECT rolname FROM pg_roles
            WHERE rolcanlogin AND NOT rolsuper AND rolname <> target
              AND rolname NOT LIKE 'pg\_%'
              AND has_database_privilege(oid, database_name, 'CONNECT')
        LOOP
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', database_name, login_role);
        END LOOP;
        EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', database_name);
        EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', database_name, target);
    END LOOP;
END
$$;

-- No privilege on any table, view or sequence of the schema, for this role or for
-- everyone (PUBLIC, which every role belongs to)...
REVOKE ALL ON ALL TABLES IN SCHEMA :"schema" FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA :"schema" FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA :"schema" FROM :"role";
REVOKE ALL ON ALL SEQUENCES IN SCHEMA :"schema" FROM :"role";

-- ...except reading the published tables.
GRANT SELECT ON TABLE :tables TO :"role";

-- Tables the owner creates later (new migrations) are not readable either.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema" REVOKE ALL ON TABLES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema" REVOKE ALL ON TABLES FROM :"role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema" REVOKE ALL ON SEQUENCES FROM :"role";

-- No statistics of any table (row counts from pg_stat_user_tables and the other
-- statistics views and functions, sizes on disk, the planner's row estimates in
-- pg_class) and no large objects (which any role may otherwise create): PUBLIC
-- loses them in this database; the owner and pg_monitor keep them.
DO $$
DECLARE
    owner_role name := current_setting('carers.owner');
    target name := current_setting('carers.public_role');
    view_name regclass;
    function_name regprocedure;
    readable text;
BEGIN
    FOR view_name IN
        SELECT c.oid::regclass FROM pg_class c
        WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'
          AND c.relname LIKE 'pg\_stat%'
    LOOP
        EXECUTE format('REVOKE ALL ON %s FROM PUBLIC, %I', view_name, target);
        EXECUTE format('GRANT SELECT ON %s TO %I, pg_monitor', view_name, owner_role);
    END LOOP;
    FOR function_name IN
        SELECT p.oid::regprocedure FROM pg_proc p
        WHERE p.pronamespace = 'pg_catalog'::regnamespace
          AND (p.proname LIKE 'pg\_stat\_get\_%'
               OR p.proname IN ('pg_relation_size', 'pg_table_size', 'pg_indexes_size',
                                'pg_total_relation_size', 'pg_database_size',
                                'pg_tablespace_size', 'lo_create', 'lo_creat',
                                'lo_from_bytea', 'lo_import'))
    LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, %I', function_name, target);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I, pg_monitor',
                       function_name, owner_role);
    END LOOP;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO readable
    FROM pg_attribute
    WHERE attrelid = 'pg_catalog.pg_class'::regclass AND attnum > 0 AND NOT attisdropped
      AND attname NOT IN ('reltuples', 'relpages', 'relallvisible');
    EXECUTE format('REVOKE SELECT ON pg_catalog.pg_class FROM PUBLIC, %I', target);
    EXECUTE format('GRANT SELECT (%s) ON pg_catalog.pg_class TO PUBLIC', readable);
    EXECUTE format('GRANT SELECT ON pg_catalog.pg_class TO %I, pg_monitor', owner_role);
END
$$;

-- Every session of the role starts read-only, finds the tables without a schema
-- prefix, and has its queries and idle transactions cut short. The role itself may
-- change these settings (PostgreSQL cannot stop it): see docs/public-role.md.
ALTER ROLE :"role" SET default_transaction_read_only = on;
ALTER ROLE :"role" SET search_path = :"schema";
ALTER ROLE :"role" SET statement_timeout = '30s';
ALTER ROLE :"role" SET idle_in_transaction_session_timeout = '60s';
