# fish completion for pg-createuser (pgkit). Role and database names come from the server
# through __pgkit_query (functions/__pgkit_query.fish, autoloaded by fish); it is told that
# -d here is --createdb, not a database (--no-short-dbname).
# One complete line per option, under the option as `pg-createuser --help` spells it.

# ROLENAME names a new role: no files, no names from the server.
complete -c pg-createuser -f

# The membership options (PostgreSQL 16+) that may follow a group's name after a colon;
# BEFORE ends with the colon. An option already given is not offered again.
function __pgkit_createuser_membership_options --argument-names before
    set -l group (string replace -r -- '^.*,' '' "$before")
    if not string match -qr -- ':(no)?inherit:' "$group"
        printf '%s%s\t%s\n' "$before" noinherit "Does not inherit the group's privileges" \
            "$before" inherit "Inherits the group's privileges"
    end
    if not string match -qr -- ':(no)?set:' "$group"
        printf '%s%s\t%s\n' "$before" noset 'Cannot SET ROLE to the group' \
            "$before" set 'Can SET ROLE to the group'
    end
end

# A group: a role, which may be a predefined pg_* one; after a colon, a membership option.
# BEFORE is what the value holds ahead of the group (the groups before it in a list).
function __pgkit_createuser_group --argument-names before group
    if string match -q -- '*:*' "$group"
        __pgkit_createuser_membership_options "$before"(string match -r -- '^.*:' "$group")
    else
        __pgkit_query all-roles --no-short-dbname | while read -l line
            printf '%s%s\n' "$before" $line
        end
    end
end

# The value of -g/--member-of (or --role): one group.
function __pgkit_createuser_member_of
    set -l value (string replace -r -- '^(--member-of=|--role=|-g)' '' (commandline -ct))
    __pgkit_createuser_group '' "$value"
end

# The value of --member-of-exact: a comma list; the group after the last comma is completed.
function __pgkit_createuser_member_of_exact
    set -l list (string replace -r -- '^--member-of-exact=' '' (commandline -ct))
    set -l before (string match -r -- '^.*,' "$list")
    __pgkit_createuser_group "$before" (string replace -r -- '^.*,' '' "$list")
end

# Options
# -a, --with-admin=ROLE
complete -c pg-createuser -s a -l with-admin -x -a '(__pgkit_query roles --no-short-dbname)' -d 'ROLE will be a member of new role with admin option'
# -c, --connection-limit=N
complete -c pg-createuser -s c -l connection-limit -x -d 'Connection limit for role (-1: none)'
# -d, --createdb
complete -c pg-createuser -s d -l createdb -d 'Role can create new databases'
# -D, --no-createdb
complete -c pg-createuser -s D -l no-createdb -d 'Role cannot create databases (default)'
# A group may be a predefined pg_* role: all-roles.
# --member-of-exact=ROLE,...
complete -c pg-createuser -l member-of-exact -x -a '(__pgkit_createuser_member_of_exact)' -d 'Exactly these groups (comma list), others revoked'
# --not-member-of=ROLE
complete -c pg-createuser -l not-member-of -x -a '(__pgkit_query all-roles --no-short-dbname)' -d 'With --if-not-exists, revoke membership in ROLE'
# -g, --member-of=ROLE (ROLE:noinherit, ROLE:noset and the like on PostgreSQL 16+)
complete -c pg-createuser -s g -l member-of -x -a '(__pgkit_createuser_member_of)' -d 'New role will be a member of ROLE'
# --role=ROLE (the old name of --member-of)
complete -c pg-createuser -l role -x -a '(__pgkit_createuser_member_of)' -d 'New role will be a member of ROLE (old name of --member-of)'
# -i, --inherit
complete -c pg-createuser -s i -l inherit -d 'Role inherits privileges of its roles (default)'
# -I, --no-inherit
complete -c pg-createuser -s I -l no-inherit -d 'Role does not inherit privileges'
# -l, --login
complete -c pg-createuser -s l -l login -d 'Role can login (default)'
# -L, --no-login
complete -c pg-createuser -s L -l no-login -d 'Role cannot login'
# -m, --with-member=ROLE
complete -c pg-createuser -s m -l with-member -x -a '(__pgkit_query roles --no-short-dbname)' -d 'ROLE will be a member of new role'
# -P, --pwprompt
complete -c pg-createuser -s P -l pwprompt -d "Ask for the new role's password (twice)"
# --password-file=FILE
complete -c pg-createuser -l password-file -r -F -d 'Read the password from the first line of FILE (-: stdin)'
# --password-env=VAR
complete -c pg-createuser -l password-env -x -a '(set --names --export)' -d 'Read the password from environment variable VAR'
# --generate-password=FILE
complete -c pg-createuser -l generate-password -r -F -d 'Make a random password and write it to FILE (mode 0600), never printed'
# --password-length=N (16 to 1024)
complete -c pg-createuser -l password-length -x -d 'Length of a generated password (default 32)'
# --password-alphabet=WORD
complete -c pg-createuser -l password-alphabet -x -a 'alphanumeric hex urlsafe' -d 'Characters of a generated password'
# -r, --createrole
complete -c pg-createuser -s r -l createrole -d 'Role can create new roles'
# -R, --no-createrole
complete -c pg-createuser -s R -l no-createrole -d 'Role cannot create roles (default)'
# -s, --superuser
complete -c pg-createuser -s s -l superuser -d 'Role will be superuser'
# -S, --no-superuser
complete -c pg-createuser -s S -l no-superuser -d 'Role will not be superuser (default)'
# -v, --valid-until=TIMESTAMP
complete -c pg-createuser -s v -l valid-until -x -a infinity -d 'Password expiration date and time for role'
# --interactive
complete -c pg-createuser -l interactive -d 'Prompt for missing role name and attributes'
# --bypassrls
complete -c pg-createuser -l bypassrls -d 'Role can bypass row-level security (RLS) policy'
# --no-bypassrls
complete -c pg-createuser -l no-bypassrls -d 'Role cannot bypass row-level security (default)'
# --replication
complete -c pg-createuser -l replication -d 'Role can initiate replication'
# --no-replication
complete -c pg-createuser -l no-replication -d 'Role cannot initiate replication (default)'
# --comment=TEXT
complete -c pg-createuser -l comment -x -d 'Comment on the role (COMMENT ON ROLE)'
# --set=NAME=VALUE: the parameter's name, then "=" (no space after it) and the value.
complete -c pg-createuser -l set -x -a '(__pgkit_query parameters --no-short-dbname | string replace -- \t =\t)' -d 'Keep parameter NAME set to VALUE for the role (ALTER ROLE ... SET)'
# --reset=NAME
complete -c pg-createuser -l reset -x -a '(__pgkit_query parameters --no-short-dbname)' -d "With --if-not-exists, take the role's setting NAME away"
# --in-database=DB
complete -c pg-createuser -l in-database -x -a '(__pgkit_query databases --no-short-dbname)' -d '--set and --reset apply to the role in database DB only'
# --if-not-exists
complete -c pg-createuser -l if-not-exists -d 'Accept an existing role and converge it'
# --update-password
complete -c pg-createuser -l update-password -d 'With --if-not-exists, set the password if it differs'
# -e, --echo
complete -c pg-createuser -s e -l echo -d 'Show the commands being sent to the server'
# --dry-run
complete -c pg-createuser -l dry-run -d 'Connect and report what would be done, change nothing'
# -q, --quiet
complete -c pg-createuser -s q -l quiet -d 'Print nothing but errors'
# --format=FORMAT
complete -c pg-createuser -l format -x -a 'text json' -d 'Output format'
# -V, --version
complete -c pg-createuser -s V -l version -d 'Output version information, then exit'
# -?, --help
complete -c pg-createuser -s '?' -l help -d 'Show help, then exit'
# --lock-timeout=SECONDS
complete -c pg-createuser -l lock-timeout -x -d 'Give up when a lock is not granted within SECONDS'

# Connection options
# -h, --host=HOSTNAME
complete -c pg-createuser -s h -l host -x -a '(__fish_print_hostnames) (__fish_complete_directories)' -d 'Database server host or socket directory'
# -p, --port=PORT
complete -c pg-createuser -s p -l port -x -d 'Database server port'
# -U, --username=USERNAME
complete -c pg-createuser -s U -l username -x -a '(__pgkit_query login-roles --no-short-dbname)' -d 'User name to connect as'
# -w, --no-password
complete -c pg-createuser -s w -l no-password -d 'Never prompt for password'
# -W, --password
complete -c pg-createuser -s W -l password -d 'Force password prompt'
# --maintenance-db=DBNAME
complete -c pg-createuser -l maintenance-db -x -a '(__pgkit_query databases --no-short-dbname)' -d 'Alternate maintenance database (or a connection string)'
# --connect-timeout=SECONDS
complete -c pg-createuser -l connect-timeout -x -d 'Give up connecting after SECONDS (default 10)'
# --wait=SECONDS
complete -c pg-createuser -l wait -x -d 'Keep trying to connect for up to SECONDS'
