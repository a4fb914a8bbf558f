# fish completion for pg-createschema (pgkit). Role and database names come from the server
# through __pgkit_query (functions/__pgkit_query.fish, autoloaded by fish). Here -d is the
# database to create the schemas in.
# One complete line per option, under the option as `pg-createschema --help` spells it.

# SCHEMA names a schema to create: no files, no names from the server (as for pg-createdb's
# DBNAME, also with --if-not-exists).
complete -c pg-createschema -f

# Options
# -O, --owner=OWNER
complete -c pg-createschema -s O -l owner -x -a '(__pgkit_query roles)' -d 'Role to own the schemas (AUTHORIZATION)'
# --comment=TEXT
complete -c pg-createschema -l comment -x -d 'Comment on each schema (COMMENT ON SCHEMA)'
# --if-not-exists
complete -c pg-createschema -l if-not-exists -d 'Accept an existing schema and converge it'
# -e, --echo
complete -c pg-createschema -s e -l echo -d 'Show the commands being sent to the server'
# --dry-run
complete -c pg-createschema -l dry-run -d 'Connect and report what would be done, change nothing'
# -q, --quiet
complete -c pg-createschema -s q -l quiet -d 'Print nothing but errors'
# --format=FORMAT
complete -c pg-createschema -l format -x -a 'text json' -d 'Output format'
# --lock-timeout=SECONDS
complete -c pg-createschema -l lock-timeout -x -d 'Give up when a lock is not granted within SECONDS'
# -V, --version
complete -c pg-createschema -s V -l version -d 'Output version information, then exit'
# -?, --help
complete -c pg-createschema -s '?' -l help -d 'Show help, then exit'

# Connection options
# -h, --host=HOSTNAME
complete -c pg-createschema -s h -l host -x -a '(__fish_print_hostnames) (__fish_complete_directories)' -d 'Database server host or socket directory'
# -p, --port=PORT
complete -c pg-createschema -s p -l port -x -d 'Database server port'
# -U, --username=USERNAME
complete -c pg-createschema -s U -l username -x -a '(__pgkit_query login-roles)' -d 'User name to connect as'
# -w, --no-password
complete -c pg-createschema -s w -l no-password -d 'Never prompt for password'
# -W, --password
complete -c pg-createschema -s W -l password -d 'Force password prompt'
# -d, --dbname=DBNAME
complete -c pg-createschema -s d -l dbname -x -a '(__pgkit_query databases)' -d 'Database to connect to (or a connection string)'
# --connect-timeout=SECONDS
complete -c pg-createschema -l connect-timeout -x -d 'Give up connecting after SECONDS (default 10)'
# --wait=SECONDS
complete -c pg-createschema -l wait -x -d 'Keep trying to connect for up to SECONDS'
