# fish completion for pg-listtables (pgkit). Database and role names come from the server, and
# schema and relation names from the database given with -d, through __pgkit_query
# (functions/__pgkit_query.fish, autoloaded by fish). Here -d is the database to list.
# One complete line per option, under the option as `pg-listtables --help` spells it.

# The words of -t/--type, each with what it lists.
function __pgkit_listtables_type_words
    printf '%s\t%s\n' table 'Ordinary tables and partitions' partitioned 'Partitioned tables' \
        view Views matview 'Materialized views' foreign 'Foreign tables' sequence Sequences
end

# The value of -t/--type is a comma list: complete the word after the last comma, leaving out
# the words the list already has.
function __pgkit_listtables_types
    set -l token (commandline -ct)
    set -l list (string replace -r -- '^(--type=|-t)' '' $token)
    set -l before (string match -r -- '^.*,' $list)
    set -l typed (string split -- , $before)
    __pgkit_listtables_type_words | while read -l line
        set -l word (string split -f1 -- \t $line)
        contains -- $word $typed; or printf '%s%s\n' $before $line
    end
end

# PATTERN: the relations of the database, as schema.name, of the kinds the -t/--type options
# typed so far ask for (tables and partitioned tables when none).
function __pgkit_listtables_relations
    set -l tokens (commandline -opc)
    set -l lists
    set -l i 1
    while test $i -lt (count $tokens)
        set i (math $i + 1)
        set -l token $tokens[$i]
        switch $token
            case --
                break
            case -t --type
                test $i -lt (count $tokens); or break
                set i (math $i + 1)
                set -a lists $tokens[$i]
            case '--type=*'
                set -a lists (string replace -- --type= '' $token)
            case '-t?*'
                set -a lists (string sub -s 3 -- $token)
        end
    end
    set -l relkinds
    for word in (string split -- , $lists)
        set -l relkind
        switch $word
            case table
                set relkind r
            case partitioned
                set relkind p
            case view
                set relkind v
            case matview
                set relkind m
            case foreign
                set relkind f
            case sequence
                set relkind S
        end
        test -n "$relkind"; and not string match -q -- "*$relkind*" "$relkinds"
        and set relkinds "$relkinds$relkind"
    end
    if test -n "$relkinds"
        __pgkit_query relations --relkinds=$relkinds
    else
        __pgkit_query relations
    end
end

# PATTERN: the relations of the database given with -d; no files.
complete -c pg-listtables -f -a '(__pgkit_listtables_relations)'

# Options
# -n, --schema=PATTERN
complete -c pg-listtables -s n -l schema -x -a '(__pgkit_query schemas)' -d 'Only schemas matching PATTERN (repeatable)'
# -N, --exclude-schema=PATTERN
complete -c pg-listtables -s N -l exclude-schema -x -a '(__pgkit_query schemas)' -d 'No schemas matching PATTERN (repeatable)'
# -t, --type=LIST
complete -c pg-listtables -s t -l type -x -a '(__pgkit_listtables_types)' -d 'Kinds of relation to list (a comma list)'
# -S, --system
complete -c pg-listtables -s S -l system -d 'Include system schemas'
# -x, --extended
complete -c pg-listtables -s x -l extended -d 'Add persistence, access method, size, rows, description'
# -z, --null
complete -c pg-listtables -s z -l null -d 'With --format names, end each name with NUL'
# -e, --echo
complete -c pg-listtables -s e -l echo -d 'Show the commands being sent to the server'
# --dry-run
complete -c pg-listtables -l dry-run -d 'Connect and report what would be done, change nothing'
# -q, --quiet
complete -c pg-listtables -s q -l quiet -d 'Print nothing but errors'
# --format=FORMAT
complete -c pg-listtables -l format -x -a 'text csv json names' -d 'Output format'
# -V, --version
complete -c pg-listtables -s V -l version -d 'Output version information, then exit'
# -?, --help
complete -c pg-listtables -s '?' -l help -d 'Show help, then exit'

# Connection options
# -h, --host=HOSTNAME
complete -c pg-listtables -s h -l host -x -a '(__fish_print_hostnames) (__fish_complete_directories)' -d 'Database server host or socket directory'
# -p, --port=PORT
complete -c pg-listtables -s p -l port -x -d 'Database server port'
# -U, --username=USERNAME
complete -c pg-listtables -s U -l username -x -a '(__pgkit_query login-roles)' -d 'User name to connect as'
# -w, --no-password
complete -c pg-listtables -s w -l no-password -d 'Never prompt for password'
# -W, --password
complete -c pg-listtables -s W -l password -d 'Force password prompt'
# -d, --dbname=DBNAME
complete -c pg-listtables -s d -l dbname -x -a '(__pgkit_query databases)' -d 'Database to connect to (or a connection string)'
# --connect-timeout=SECONDS
complete -c pg-listtables -l connect-timeout -x -d 'Give up connecting after SECONDS (default 10)'
# --wait=SECONDS
complete -c pg-listtables -l wait -x -d 'Keep trying to connect for up to SECONDS'
