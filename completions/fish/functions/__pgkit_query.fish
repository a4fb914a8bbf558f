# Shared by the fish completions of the pgkit tools (pg-createdb, pg-createuser, ...).
#
# __pgkit_query KIND [--no-short-dbname] [--relkinds=LETTERS] [--extension=NAME]... prints the
# names of one kind of object read from the PostgreSQL server, one per line, each followed by a
# tab and what it is, as `complete -a` takes them. KIND is one of
#   roles        every role but the predefined pg_* ones
#   all-roles    every role, the predefined pg_* ones too
#   login-roles  roles that can log in
#   databases    databases that accept connections
#   templates    every database (template0 too)
#   tablespaces  tablespaces a database can use
# or, read from the database being worked in (-d/--dbname, else libpq's default database):
#   schemas      schemas, but pg_toast and the temporary ones
#   relations    schema.name of the relations outside the system schemas whose relkinds are
#                among LETTERS (default rp: tables and partitioned tables)
#   table-names  schema.name of the tables and partitioned tables outside the system schemas,
#                not quoted, for an option that takes a name as it is and divides it at its
#                first dot (pg-seed's --table); a schema with a dot in it is left out
#   schema-names schemas as they are, not quoted, for an option that takes one schema name as
#                it is (pg-createextension's --schema)
# or, read from the server of the database being worked in (-d/--dbname if typed, else as for
# roles):
#   extensions   the extensions the server has available (pg_available_extensions)
#   extension-versions
#                the versions it has of the extensions named with --extension=NAME (repeated;
#                none, and no query, without it)
#   parameters   the run-time parameters a role or a database may keep (ALTER ROLE/DATABASE
#                ... SET): those of pg_settings a session can set (contexts user and
#                superuser), in lower case as the tools fold them
# Schema and relation names come through quote_ident(), so that each is a psql-style pattern
# matching just that object; a name with a line break in it is left out.
#
# psql connects as the command line being completed says: the -h/--host, -p/--port,
# -U/--username, --maintenance-db or -d/--dbname and --connect-timeout already typed; the rest
# comes from the PG* environment, ~/.pgpass and the service file, as for the tool itself. psql
# runs with -w, so that completing never waits on a password prompt; its errors are discarded,
# and a query that fails prints nothing. --no-short-dbname is for a tool whose -d is not the
# database (pg-createuser: --createdb).
function __pgkit_query --description 'Print names of PostgreSQL objects for a pgkit completion' --argument-names kind
    set -l sql
    set -l label
    set -l server_wide 1
    switch "$kind"
        case roles
            set sql "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' ORDER BY 1"
            set label Role
        case all-roles
            set sql "SELECT rolname FROM pg_catalog.pg_roles ORDER BY 1"
            set label Role
        case login-roles
            set sql "SELECT rolname FROM pg_catalog.pg_roles WHERE rolcanlogin ORDER BY 1"
            set label 'Login role'
        case databases
            set sql "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn ORDER BY 1"
            set label Database
        case templates
            set sql "SELECT datname FROM pg_catalog.pg_database ORDER BY 1"
            set label Database
        case tablespaces
            set sql "SELECT spcname FROM pg_catalog.pg_tablespace WHERE spcname <> 'pg_global' ORDER BY 1"
            set label Tablespace
        case schemas
            set sql "SELECT pg_catalog.quote_ident(nspname) FROM pg_catalog.pg_namespace WHERE nspname !~ '^pg_(toast|temp_)' AND nspname !~ '[\n\r]' ORDER BY 1"
            set label Schema
            set server_wide 0
        case relations
            set -l relkinds rp
            set -l option (string match -r -- '^--relkinds=.*' $argv[2..-1])[-1]
            test -n "$option"; and set relkinds (string replace -- --relkinds= '' $option)
            string match -qr -- '^[rpvmfS]+$' $relkinds; or return 1
            set -l kinds (string join , -- "'"(string split -- '' $relkinds)"'")
            set sql "SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ($kinds) AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND n.nspname !~ '[\n\r]' AND c.relname !~ '[\n\r]' ORDER BY 1"
            set label Relation
            set server_wide 0
        case table-names
            set sql "SELECT n.nspname OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND n.nspname !~ '[.\n\r]' AND c.relname !~ '[\n\r]' ORDER BY 1"
            set label Table
            set server_wide 0
        case schema-names
            set sql "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname !~ '^pg_(toast|temp_)' AND nspname !~ '[\n\r]' ORDER BY 1"
            set label Schema
            set server_wide 0
        case extensions
            set sql "SELECT name FROM pg_catalog.pg_available_extensions WHERE name !~ '[\n\r]' ORDER BY 1"
            set label Extension
        case extension-versions
            # Each name as an E'' literal, which means the same whatever
            # standard_conforming_strings says: backslashes and quotes doubled.
            set -l literals
            for option in (string match -- '--extension=*' $argv[2..-1])
                set -l extension (string replace -- --extension= '' $option)
                test -n "$extension"; or continue
                string match -qr -- '[\n\r]' $extension; and continue
                set extension (string replace -a -- '\\' '\\\\' $extension)
                set extension (string replace -a -- "'" "''" $extension)
                set -a literals "E'$extension'"
            end
            test (count $literals) -gt 0; or return 1
            set sql "SELECT DISTINCT version FROM pg_catalog.pg_available_extension_versions WHERE name IN ("(string join ', ' -- $literals)") AND version !~ '[\n\r]' ORDER BY 1"
            set label Version
        case parameters
            set sql "SELECT pg_catalog.lower(name) FROM pg_catalog.pg_settings WHERE context IN ('user', 'superuser') ORDER BY 1"
            set label Parameter
        case '*'
            return 1
    end
    command -q psql; or return 1

    # The connection options typed so far, quotes already removed by commandline -o.
    set -l psql_args
    set -l dbname
    set -l timeout
    set -l tokens (commandline -opc 2>/dev/null)
    set -l short_dbname -d
    contains -- --no-short-dbname $argv[2..-1]; and set short_dbname
    set -l i 1
    while test $i -lt (count $tokens)
        set i (math $i + 1)
        set -l token $tokens[$i]
        set -l option
        set -l value
        if test "$token" = --
            break
        else if test -z "$short_dbname"; and string match -qr -- '^-d' $token
            # -d as a flag, alone or with other flags after it (-dL): no value to take.
            continue
        else if contains -- $token -h --host -p --port -U --username -d --dbname --maintenance-db --connect-timeout
            test $i -lt (count $tokens); or break
            set i (math $i + 1)
            set option $token
            set value $tokens[$i]
        else if string match -qr -- '^--(host|port|username|dbname|maintenance-db|connect-timeout)=' $token
            set option (string replace -r -- '=.*' '' $token)
            set value (string replace -r -- '^[^=]*=' '' $token)
        else if string match -qr -- '^-[hpUd].' $token
            set option (string sub -l 2 -- $token)
            set value (string sub -s 3 -- $token)
        else
            continue
        end
        set value (string replace -r -- '^~(?=/|$)' $HOME $value)
        switch $option
            case -h --host
                set -a psql_args -h $value
            case -p --port
                set -a psql_args -p $value
            case -U --username
                set -a psql_args -U $value
            case -d --dbname --maintenance-db
                set dbname $value
            case --connect-timeout
                set timeout $value
        end
    end

    # A completion should not hang on an unreachable server for the tool's 10 seconds.
    if test -z "$timeout"
        set timeout 3
        set -q PGCONNECT_TIMEOUT; and set timeout $PGCONNECT_TIMEOUT
    end
    set -lx PGCONNECT_TIMEOUT $timeout

    # Server-wide names come from "postgres" (else template1) unless a database was typed;
    # schemas and relations from the typed database, else from libpq's default one
    # (PGDATABASE, else the user name), as the tool itself would connect.
    set -l database
    if test -n "$dbname"
        set database -d $dbname
    else if test $server_wide -eq 1
        set database -d postgres
    end
    set -l started (date +%s%N 2>/dev/null)
    set -l output (psql -X -A -t -w -q $psql_args $database -c $sql 2>/dev/null)
    set -l rc $status
    if test $rc -eq 2; and test $server_wide -eq 1; and test -z "$dbname"
        # No connection to "postgres": try template1, as the tools themselves do; but not after a
        # time-out, which would only double the wait.
        set -l now (date +%s%N 2>/dev/null)
        if not string match -qr '^[0-9]+$' -- "$started$now"; or test (math "$now - $started") -lt 1000000000
            set output (psql -X -A -t -w -q $psql_args -d template1 -c $sql 2>/dev/null)
            set rc $status
        end
    end
    test $rc -eq 0; or return 1
    for name in $output
        test -n "$name"; and printf '%s\t%s\n' $name $label
    end
end
