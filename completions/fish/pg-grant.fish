# fish completion for pg-grant (pgkit). Role and database names come from the server, and
# schema and relation names from the database given with -d, through __pgkit_query
# (functions/__pgkit_query.fish, autoloaded by fish). Here -d is the database whose privileges
# are granted.
# One complete line per option, under the option as `pg-grant --help` spells it.

# The number of operands (PRIVILEGES, then each ROLE) typed before the token being completed.
function __pgkit_grant_operands
    set -l tokens (commandline -opc 2>/dev/null)
    set -l count 0
    set -l options_end 0
    set -l i 1
    while test $i -lt (count $tokens)
        set i (math $i + 1)
        set -l token $tokens[$i]
        if test $options_end -eq 0
            if test "$token" = --
                set options_end 1
                continue
            else if contains -- $token --schema --table --sequence --function --type --for-future --format --lock-timeout -h --host -p --port -U --username -d --dbname --connect-timeout --wait
                # The value is the next word.
                set i (math $i + 1)
                continue
            else if string match -q -- '-?*' $token
                continue
            end
        end
        set count (math $count + 1)
    end
    echo $count
end

# Whether the token being completed is PRIVILEGES, the first operand.
function __pgkit_grant_needs_privileges
    test (__pgkit_grant_operands) -eq 0
end

# Whether the token being completed is a ROLE, an operand after PRIVILEGES.
function __pgkit_grant_needs_role
    test (__pgkit_grant_operands) -gt 0
end

# The privilege words of the object kinds named on the command line (before or after the
# token being completed), each with what it allows; every word when no kind is named yet.
function __pgkit_grant_privilege_words
    set -l tokens (commandline -op 2>/dev/null)
    set -l kinds
    for token in $tokens[2..-1]
        test "$token" = --; and break
        switch $token
            case --database
                set -a kinds database
            case --schema '--schema=*'
                set -a kinds schema
            case --table '--table=*'
                set -a kinds table
            case --sequence '--sequence=*'
                set -a kinds sequence
            case --function '--function=*'
                set -a kinds function
            case --type '--type=*'
                set -a kinds type
        end
    end
    set -l lines
    contains -- database $kinds; and set -a lines \
        CONNECT\t'Connect to the database' CREATE\t'Create schemas in the database' \
        TEMPORARY\t'Create temporary tables'
    contains -- schema $kinds; and set -a lines \
        USAGE\t'Look up objects in the schema' CREATE\t'Create objects in the schema'
    contains -- table $kinds; and set -a lines \
        SELECT\t'Read rows' INSERT\t'Add rows' UPDATE\t'Change rows' DELETE\t'Delete rows' \
        TRUNCATE\t'Empty the table' REFERENCES\t'Create foreign keys to it' \
        TRIGGER\t'Create triggers on it' MAINTAIN\t'VACUUM, ANALYZE, REINDEX... (PostgreSQL 17+)'
    contains -- sequence $kinds; and set -a lines \
        USAGE\t'currval and nextval' SELECT\t'currval' UPDATE\t'nextval and setval'
    contains -- function $kinds; and set -a lines EXECUTE\t'Call it'
    contains -- type $kinds; and set -a lines USAGE\t'Use the type'
    if test (count $lines) -eq 0
        set lines CONNECT\t'Database: connect' CREATE\t'Database, schema: create in it' \
            TEMPORARY\t'Database: create temporary tables' \
            USAGE\t'Schema, sequence, type: use it' SELECT\t'Table, sequence: read' \
            INSERT\t'Table: add rows' UPDATE\t'Table, sequence: change' \
            DELETE\t'Table: delete rows' TRUNCATE\t'Table: empty it' \
            REFERENCES\t'Table: create foreign keys to it' \
            TRIGGER\t'Table: create triggers on it' \
            MAINTAIN\t'Table: VACUUM, ANALYZE, REINDEX... (PostgreSQL 17+)' \
            EXECUTE\t'Function: call it'
    end
    # A word two kinds take (USAGE, CREATE...) once, described by the first.
    set -l words
    for line in $lines
        set -l word (string split -f1 -- \t $line)
        contains -- $word $words; and continue
        set -a words $word
        printf '%s\n' $line
    end
    printf '%s\t%s\n' ALL 'Every privilege of the kind'
end

# PRIVILEGES is a comma list: complete the word after the last comma, leaving out the words
# the list already has (and ALL, which stands alone).
function __pgkit_grant_privileges
    set -l list (commandline -ct)
    set -l before (string match -r -- '^.*,' "$list")
    set -l typed
    test -n "$before"; and set typed (string split -- , (string upper -- "$before"))
    __pgkit_grant_privilege_words | while read -l line
        set -l word (string split -f1 -- \t $line)
        test -n "$before"; and test $word = ALL; and continue
        contains -- $word $typed; or printf '%s%s\n' $before $line
    end
end

# The PATTERN of --table, --sequence, --function or --type (KIND): a schema of the database
# followed by a dot; once the value has a dot, SCHEMA.* for each schema and, for tables and
# sequences, the relations of that kind as schema.name (as pg-listtables completes its
# patterns).
function __pgkit_grant_patterns --argument-names kind
    set -l token (commandline -ct)
    set -l value (string replace -r -- '^--[a-z]+=' '' "$token")
    if not string match -q -- '*.*' "$value"
        __pgkit_query schemas | while read -l line
            set -l parts (string split -m1 -- \t $line)
            printf '%s.\t%s\n' $parts[1] $parts[2]
        end
        return
    end
    __pgkit_query schemas | while read -l line
        set -l parts (string split -m1 -- \t $line)
        printf '%s.*\t%s\n' $parts[1] 'Every object of the schema'
    end
    switch $kind
        case table
            __pgkit_query relations --relkinds=rpvmf
        case sequence
            __pgkit_query relations --relkinds=S
    end
end

# PRIVILEGES, then each ROLE: a role of the server, or PUBLIC; no files.
complete -c pg-grant -f
complete -c pg-grant -n __pgkit_grant_needs_privileges -a '(__pgkit_grant_privileges)'
complete -c pg-grant -n __pgkit_grant_needs_role -a '(__pgkit_query roles)'
complete -c pg-grant -n __pgkit_grant_needs_role -a PUBLIC -d 'Every role'

# Options
# --database
complete -c pg-grant -l database -d 'The database of -d itself'
# --schema=PATTERN
complete -c pg-grant -l schema -x -a '(__pgkit_query schemas)' -d 'Schemas matching PATTERN (repeatable)'
# --table=PATTERN
complete -c pg-grant -l table -x -a '(__pgkit_grant_patterns table)' -d 'Tables, views, materialized views, foreign and partitioned tables'
# --sequence=PATTERN
complete -c pg-grant -l sequence -x -a '(__pgkit_grant_patterns sequence)' -d 'Sequences matching PATTERN (repeatable)'
# --function=PATTERN
complete -c pg-grant -l function -x -a '(__pgkit_grant_patterns function)' -d 'Functions, procedures and aggregates (every overload)'
# --type=PATTERN
complete -c pg-grant -l type -x -a '(__pgkit_grant_patterns type)' -d 'Types and domains matching PATTERN (repeatable)'
# --for-future=OWNER
complete -c pg-grant -l for-future -x -a '(__pgkit_query roles)' -d "Also for objects OWNER creates later in the patterns' schemas"
# --revoke
complete -c pg-grant -l revoke -d 'Revoke the privileges instead'
# --exact
complete -c pg-grant -l exact -d 'Leave the roles exactly these privileges on the objects'
# --with-grant-option
complete -c pg-grant -l with-grant-option -d 'WITH GRANT OPTION (with --revoke: revoke only the option)'
# --cascade
complete -c pg-grant -l cascade -d 'With --revoke or --exact: also revoke what the roles granted on'
# -e, --echo
complete -c pg-grant -s e -l echo -d 'Show the commands being sent to the server'
# --dry-run
complete -c pg-grant -l dry-run -d 'Connect and report what would be done, change nothing'
# -q, --quiet
complete -c pg-grant -s q -l quiet -d 'Print nothing but errors'
# --format=FORMAT
complete -c pg-grant -l format -x -a 'text json' -d 'Output format'
# --lock-timeout=SECONDS
complete -c pg-grant -l lock-timeout -x -d 'Give up when a lock is not granted within SECONDS'
# -V, --version
complete -c pg-grant -s V -l version -d 'Output version information, then exit'
# -?, --help
complete -c pg-grant -s '?' -l help -d 'Show help, then exit'

# Connection options
# -h, --host=HOSTNAME
complete -c pg-grant -s h -l host -x -a '(__fish_print_hostnames) (__fish_complete_directories)' -d 'Database server host or socket directory'
# -p, --port=PORT
complete -c pg-grant -s p -l port -x -d 'Database server port'
# -U, --username=USERNAME
complete -c pg-grant -s U -l username -x -a '(__pgkit_query login-roles)' -d 'User name to connect as'
# -w, --no-password
complete -c pg-grant -s w -l no-password -d 'Never prompt for password'
# -W, --password
complete -c pg-grant -s W -l password -d 'Force password prompt'
# -d, --dbname=DBNAME
complete -c pg-grant -s d -l dbname -x -a '(__pgkit_query databases)' -d 'Database to connect to (or a connection string)'
# --connect-timeout=SECONDS
complete -c pg-grant -l connect-timeout -x -d 'Give up connecting after SECONDS (default 10)'
# --wait=SECONDS
complete -c pg-grant -l wait -x -d 'Keep trying to connect for up to SECONDS'
