# fish completion for pg-seed (pgkit). Database and role names come from the server, and the
# table names of --table from the database given with -d, through __pgkit_query
# (functions/__pgkit_query.fish, autoloaded by fish). Here -d is the database to load into.
# One complete line per option, under the option as `pg-seed --help` spells it.

# PATH: directories, and the files pg-seed loads: *.sql, *.csv, *.tsv, each also compressed
# (.gz, .xz, .zst). fish's own file completion of the token (for a command that has none of
# its own) does the globbing, the quoting and ~; what it offers is filtered here.
function __pgkit_seed_paths
    set -l token (commandline -ct)
    for line in (complete -C "__fish_command_without_completions $token")
        set -l path (string split -f1 -- \t $line)
        if string match -qr -- '/$' $path
            printf '%s\t%s\n' $path Directory
        else if string match -qr -- '\.(sql|csv|tsv)(\.(gz|xz|zst))?$' $path
            printf '%s\t%s\n' $path 'Seed file'
        end
    end
end

# PATH: seed files and directories, not every file.
complete -c pg-seed -f -a '(__pgkit_seed_paths)'

# Options
# --table=NAME
complete -c pg-seed -l table -x -a '(__pgkit_query table-names)' -d 'Target table of a single CSV file'
# --no-header
complete -c pg-seed -l no-header -d 'CSV files have no header line; load columns in table order'
# --truncate
complete -c pg-seed -l truncate -d 'Empty each CSV target table first'
# --per-file
complete -c pg-seed -l per-file -d 'Commit after each file instead of once'
# -j, --jobs=N
complete -c pg-seed -s j -l jobs -x -a '2 4 8' -d 'With --per-file, load CSV files over N connections at once'
# --once
complete -c pg-seed -l once -d 'Record applied files and skip them next time'
# --history-table=NAME (often a table still to be made: nothing is offered)
complete -c pg-seed -l history-table -x -d 'Where --once records files (default public.pg_seed_history)'
# --reapply-changed
complete -c pg-seed -l reapply-changed -d 'With --once, apply a changed file again instead of failing'
# --progress
complete -c pg-seed -l progress -d 'Show progress on stderr even when it is not a terminal'
# -e, --echo
complete -c pg-seed -s e -l echo -d 'Show the commands being sent to the server'
# --dry-run
complete -c pg-seed -l dry-run -d 'Load everything, then roll it back'
# -q, --quiet
complete -c pg-seed -s q -l quiet -d 'Print nothing but errors'
# --format=FORMAT
complete -c pg-seed -l format -x -a 'text json' -d 'Output format'
# -V, --version
complete -c pg-seed -s V -l version -d 'Output version information, then exit'
# -?, --help
complete -c pg-seed -s '?' -l help -d 'Show help, then exit'
# --lock-timeout=SECONDS
complete -c pg-seed -l lock-timeout -x -d 'Give up when a lock is not granted within SECONDS'

# Connection options
# -h, --host=HOSTNAME
complete -c pg-seed -s h -l host -x -a '(__fish_print_hostnames) (__fish_complete_directories)' -d 'Database server host or socket directory'
# -p, --port=PORT
complete -c pg-seed -s p -l port -x -d 'Database server port'
# -U, --username=USERNAME
complete -c pg-seed -s U -l username -x -a '(__pgkit_query login-roles)' -d 'User name to connect as'
# -w, --no-password
complete -c pg-seed -s w -l no-password -d 'Never prompt for password'
# -W, --password
complete -c pg-seed -s W -l password -d 'Force password prompt'
# -d, --dbname=DBNAME
complete -c pg-seed -s d -l dbname -x -a '(__pgkit_query databases)' -d 'Database to connect to (or a connection string)'
# --connect-timeout=SECONDS
complete -c pg-seed -l connect-timeout -x -d 'Give up connecting after SECONDS (default 10)'
# --wait=SECONDS
complete -c pg-seed -l wait -x -d 'Keep trying to connect for up to SECONDS'
