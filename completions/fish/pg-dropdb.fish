# fish completion for pg-dropdb (pgkit). Role and database names come from the server through
# __pgkit_query (functions/__pgkit_query.fish, autoloaded by fish).
# One complete line per option, under the option as `pg-dropdb --help` spells it.

# Whether DBNAME is still to be typed: no word but options and their values so far.
function __pgkit_dropdb_needs_dbname
    set -l tokens (commandline -opc 2>/dev/null)
    set -l i 1
    while test $i -lt (count $tokens)
        set i (math $i + 1)
        set -l token $tokens[$i]
        if test "$token" = --
            test $i -lt (count $tokens); and return 1
            return 0
        else if contains -- $token -h --host -p --port -U --username --maintenance-db --format --lock-timeout --connect-timeout --wait
            # The value is the next word.
            set i (math $i + 1)
        else if not string match -q -- '-*' $token
            return 1
        end
    end
    return 0
end

# DBNAME: a database of the server, given once; no files.
complete -c pg-dropdb -f
complete -c pg-dropdb -n __pgkit_dropdb_needs_dbname -a '(__pgkit_query databases)'

# Options
# -f, --force
complete -c pg-dropdb -s f -l force -d 'End the other sessions on the database, then drop it'
# -i, --interactive
complete -c pg-dropdb -s i -l interactive -d 'Ask on the terminal before dropping'
# --if-exists
complete -c pg-dropdb -l if-exists -d 'A database that does not exist is not an error'
# -e, --echo
complete -c pg-dropdb -s e -l echo -d 'Show the commands being sent to the server'
# --dry-run
complete -c pg-dropdb -l dry-run -d 'Connect and report what would be done, change nothing'
# -q, --quiet
complete -c pg-dropdb -s q -l quiet -d 'Print nothing but errors'
# --format=FORMAT
complete -c pg-dropdb -l format -x -a 'text json' -d 'Output format'
# -V, --version
complete -c pg-dropdb -s V -l version -d 'Output version information, then exit'
# -?, --help
complete -c pg-dropdb -s '?' -l help -d 'Show help, then exit'
# --lock-timeout=SECONDS
complete -c pg-dropdb -l lock-timeout -x -d 'Give up when a lock is not granted within SECONDS'

# Connection options
# -h, --host=HOSTNAME
complete -c pg-dropdb -s h -l host -x -a '(__fish_print_hostnames) (__fish_complete_directories)' -d 'Database server host or socket directory'
# -p, --port=PORT
complete -c pg-dropdb -s p -l port -x -d 'Database server port'
# -U, --username=USERNAME
complete -c pg-dropdb -s U -l username -x -a '(__pgkit_query login-roles)' -d 'User name to connect as'
# -w, --no-password
complete -c pg-dropdb -s w -l no-password -d 'Never prompt for password'
# -W, --password
complete -c pg-dropdb -s W -l password -d 'Force password prompt'
# --maintenance-db=DBNAME
complete -c pg-dropdb -l maintenance-db -x -a '(__pgkit_query databases)' -d 'Alternate maintenance database (or a connection string)'
# --connect-timeout=SECONDS
complete -c pg-dropdb -l connect-timeout -x -d 'Give up connecting after SECONDS (default 10)'
# --wait=SECONDS
complete -c pg-dropdb -l wait -x -d 'Keep trying to connect for up to SECONDS'
