# fish completion for pg-createextension (pgkit). Role and database names come from the server
# through __pgkit_query (functions/__pgkit_query.fish, autoloaded by fish). Here -d is the
# database to install the extensions in: --schema offers its schemas, and EXTENSION and
# --version what its server has available. --version is this tool's own option, with a value
# (the extension's version); -V alone prints the tool's version.
# One complete line per option, under the option as `pg-createextension --help` spells it.

# The EXTENSION words of the command line, before and after the one being completed (which is
# left out), one per line.
function __pgkit_createextension_typed
    set -l before (commandline -opc 2>/dev/null)
    set -l current_token (commandline -ct 2>/dev/null)
    set -l all (commandline -op 2>/dev/null)
    # The token being completed stands in the list too, even when empty (between two blanks),
    # so that an option before it takes it, and not the word after it, as its value.
    set -l current (math (count $before) + 1)
    set -l tokens $before "$current_token"
    set -l i (count $before)
    test -n "$current_token"; and set i (math $i + 1)
    while test $i -lt (count $all)
        set i (math $i + 1)
        set -a tokens $all[$i]
    end
    set -l options_end 0
    set i 1
    while test $i -lt (count $tokens)
        set i (math $i + 1)
        set -l token $tokens[$i]
        if test $options_end -eq 0
            if test "$token" = --
                set options_end 1
                continue
            else if contains -- $token --schema --version --format --lock-timeout -h --host -p --port -U --username -d --dbname --connect-timeout --wait
                # The value is the next word.
                set i (math $i + 1)
                continue
            else if string match -q -- '-?*' $token
                continue
            end
        end
        test $i -eq $current; and continue
        test -n "$token"; and printf '%s\n' $token
    end
end

# EXTENSION: what the server has available, but the extensions already typed.
function __pgkit_createextension_names
    set -l typed (__pgkit_createextension_typed)
    __pgkit_query extensions | while read -l line
        set -l name (string split -f1 -- \t $line)
        contains -- $name $typed; or printf '%s\n' $line
    end
end

# --version: "latest", and the versions the server has of the extensions typed (no query
# before one is).
function __pgkit_createextension_versions
    printf '%s\t%s\n' latest 'Default version'
    set -l typed (__pgkit_createextension_typed)
    test (count $typed) -gt 0; or return 0
    __pgkit_query extension-versions --extension=$typed
end

complete -c pg-createextension -f -a '(__pgkit_createextension_names)'

# Options
# --schema=SCHEMA
complete -c pg-createextension -l schema -x -a '(__pgkit_query schema-names)' -d 'Schema to install into (WITH SCHEMA)'
# --version=VERSION
complete -c pg-createextension -l version -x -a '(__pgkit_createextension_versions)' -d 'Version to install or update to (latest: the default)'
# --cascade
complete -c pg-createextension -l cascade -d 'Also install the extensions it requires'
# --if-not-exists
complete -c pg-createextension -l if-not-exists -d 'Accept an installed extension and converge it'
# -e, --echo
complete -c pg-createextension -s e -l echo -d 'Show the commands being sent to the server'
# --dry-run
complete -c pg-createextension -l dry-run -d 'Connect and report what would be done, change nothing'
# -q, --quiet
complete -c pg-createextension -s q -l quiet -d 'Print nothing but errors'
# --format=FORMAT
complete -c pg-createextension -l format -x -a 'text json' -d 'Output format'
# --lock-timeout=SECONDS
complete -c pg-createextension -l lock-timeout -x -d 'Give up when a lock is not granted within SECONDS'
# -V
complete -c pg-createextension -s V -d 'Output version information, then exit'
# -?, --help
complete -c pg-createextension -s '?' -l help -d 'Show help, then exit'

# Connection options
# -h, --host=HOSTNAME
complete -c pg-createextension -s h -l host -x -a '(__fish_print_hostnames) (__fish_complete_directories)' -d 'Database server host or socket directory'
# -p, --port=PORT
complete -c pg-createextension -s p -l port -x -d 'Database server port'
# -U, --username=USERNAME
complete -c pg-createextension -s U -l username -x -a '(__pgkit_query login-roles)' -d 'User name to connect as'
# -w, --no-password
complete -c pg-createextension -s w -l no-password -d 'Never prompt for password'
# -W, --password
complete -c pg-createextension -s W -l password -d 'Force password prompt'
# -d, --dbname=DBNAME
complete -c pg-createextension -s d -l dbname -x -a '(__pgkit_query databases)' -d 'Database to connect to (or a connection string)'
# --connect-timeout=SECONDS
complete -c pg-createextension -l connect-timeout -x -d 'Give up connecting after SECONDS (default 10)'
# --wait=SECONDS
complete -c pg-createextension -l wait -x -d 'Keep trying to connect for up to SECONDS'
