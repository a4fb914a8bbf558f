# fish completion for pg-dropuser (pgkit). Role and database names come from the server
# through __pgkit_query (functions/__pgkit_query.fish, autoloaded by fish).
# One complete line per option, under the option as `pg-dropuser --help` spells it.

# Whether ROLENAME is still to be typed: no word but options and their values so far.
function __pgkit_dropuser_needs_rolename
    set -l tokens (commandline -opc 2>/dev/null)
    set -l i 1
    while test $i -lt (count $tokens)
        set i (math $i + 1)
        set -l token $tokens[$i]
        if test "$token" = --
            test $i -lt (count $tokens); and return 1
            return 0
        else if contains -- $token -h --host -p --port -U --username --maintenance-db --format --lock-timeout --connect-timeout --wait --reassign-owned-to
            # The value is the next word.
            set i (math $i + 1)
        else if not string match -q -- '-*' $token
            return 1
        end
    end
    return 0
end

# ROLENAME: a role of the server, given once; no files. Predefined pg_* roles cannot be
# dropped: roles, not all-roles (for the new owner of --reassign-owned-to too).
complete -c pg-dropuser -f
complete -c pg-dropuser -n __pgkit_dropuser_needs_rolename -a '(__pgkit_query roles)'

# Options
# -i, --interactive
complete -c pg-dropuser -s i -l interactive -d 'Prompt before deleting anything, and for a missing name'
# --if-exists
complete -c pg-dropuser -l if-exists -d 'A role that does not exist is not an error'
# --reassign-owned-to=ROLE
complete -c pg-dropuser -l reassign-owned-to -x -a '(__pgkit_query roles)' -d 'First give what it owns, in every database, to ROLE'
# --drop-owned
complete -c pg-dropuser -l drop-owned -d 'First drop what it owns and its privileges, everywhere'
# -e, --echo
complete -c pg-dropuser -s e -l echo -d 'Show the commands being sent to the server'
# --dry-run
complete -c pg-dropuser -l dry-run -d 'Connect and report what would be done, change nothing'
# -q, --quiet
complete -c pg-dropuser -s q -l quiet -d 'Print nothing but errors'
# --format=FORMAT
complete -c pg-dropuser -l format -x -a 'text json' -d 'Output format'
# -V, --version
complete -c pg-dropuser -s V -l version -d 'Output version information, then exit'
# -?, --help
complete -c pg-dropuser -s '?' -l help -d 'Show help, then exit'
# --lock-timeout=SECONDS
complete -c pg-dropuser -l lock-timeout -x -d 'Give up when a lock is not granted within SECONDS'

# Connection options
# -h, --host=HOSTNAME
complete -c pg-dropuser -s h -l host -x -a '(__fish_print_hostnames) (__fish_complete_directories)' -d 'Database server host or socket directory'
# -p, --port=PORT
complete -c pg-dropuser -s p -l port -x -d 'Database server port'
# -U, --username=USERNAME
complete -c pg-dropuser -s U -l username -x -a '(__pgkit_query login-roles)' -d 'User name to connect as'
# -w, --no-password
complete -c pg-dropuser -s w -l no-password -d 'Never prompt for password'
# -W, --password
complete -c pg-dropuser -s W -l password -d 'Force password prompt'
# --maintenance-db=DBNAME
complete -c pg-dropuser -l maintenance-db -x -a '(__pgkit_query databases)' -d 'Alternate maintenance database (or a connection string)'
# --connect-timeout=SECONDS
complete -c pg-dropuser -l connect-timeout -x -d 'Give up connecting after SECONDS (default 10)'
# --wait=SECONDS
complete -c pg-dropuser -l wait -x -d 'Keep trying to connect for up to SECONDS'
