# fish completion for pg-createdb (pgkit). Role, database and tablespace names come from the
# server through __pgkit_query (functions/__pgkit_query.fish, autoloaded by fish).
# One complete line per option, under the option as `pg-createdb --help` spells it.

# DBNAME and DESCRIPTION name something new: no files, no names from the server.
complete -c pg-createdb -f

# Options
# -D, --tablespace=TABLESPACE
complete -c pg-createdb -s D -l tablespace -x -a '(__pgkit_query tablespaces)' -d 'Default tablespace for the database'
# -E, --encoding=ENCODING
complete -c pg-createdb -s E -l encoding -x -a 'UTF8 SQL_ASCII EUC_CN EUC_JIS_2004 EUC_JP EUC_KR EUC_TW ISO_8859_5 ISO_8859_6 ISO_8859_7 ISO_8859_8 KOI8R KOI8U LATIN1 LATIN2 LATIN3 LATIN4 LATIN5 LATIN6 LATIN7 LATIN8 LATIN9 LATIN10 MULE_INTERNAL WIN866 WIN874 WIN1250 WIN1251 WIN1252 WIN1253 WIN1254 WIN1255 WIN1256 WIN1257 WIN1258' -d 'Encoding for the database'
# -l, --locale=LOCALE
complete -c pg-createdb -s l -l locale -x -a '(locale -a 2>/dev/null)' -d 'Locale settings for the database'
# --lc-collate=LOCALE
complete -c pg-createdb -l lc-collate -x -a '(locale -a 2>/dev/null)' -d 'LC_COLLATE setting for the database'
# --lc-ctype=LOCALE
complete -c pg-createdb -l lc-ctype -x -a '(locale -a 2>/dev/null)' -d 'LC_CTYPE setting for the database'
# --icu-locale=LOCALE
complete -c pg-createdb -l icu-locale -x -d 'ICU locale setting for the database'
# --icu-rules=RULES
complete -c pg-createdb -l icu-rules -x -d 'ICU rules setting for the database (server 16+)'
# --builtin-locale=LOCALE
complete -c pg-createdb -l builtin-locale -x -a 'C C.UTF-8 PG_UNICODE_FAST' -d 'Builtin locale for the database (server 17+)'
# --locale-provider={libc|icu|builtin}
complete -c pg-createdb -l locale-provider -x -a 'libc icu builtin' -d "Locale provider for the database's default collation"
# -O, --owner=OWNER
complete -c pg-createdb -s O -l owner -x -a '(__pgkit_query roles)' -d 'Database user to own the new database'
# -S, --strategy=STRATEGY
complete -c pg-createdb -s S -l strategy -x -a 'wal_log file_copy' -d 'Database creation strategy'
# -T, --template=TEMPLATE
complete -c pg-createdb -s T -l template -x -a '(__pgkit_query templates)' -d 'Template database to copy'
# --connection-limit=N
complete -c pg-createdb -l connection-limit -x -d 'Connection limit for the database (-1: none)'
# --is-template[=yes|no]: the value only after "=" (a word after a space is DBNAME).
complete -c pg-createdb -l is-template -f -a 'yes no' -d 'The database is a template others may copy (=no: not)'
# --allow-connections[=yes|no]
complete -c pg-createdb -l allow-connections -f -a 'yes no' -d 'The database accepts connections (=no: refuses them)'
# --set=NAME=VALUE: the parameter's name, then "=" (no space after it) and the value.
complete -c pg-createdb -l set -x -a '(__pgkit_query parameters | string replace -- \t =\t)' -d 'Keep parameter NAME set to VALUE in the database (ALTER DATABASE ... SET)'
# --reset=NAME
complete -c pg-createdb -l reset -x -a '(__pgkit_query parameters)' -d "With --if-not-exists, take the database's setting NAME away"
# --if-not-exists
complete -c pg-createdb -l if-not-exists -d 'Accept an existing database and converge it'
# -e, --echo
complete -c pg-createdb -s e -l echo -d 'Show the commands being sent to the server'
# --dry-run
complete -c pg-createdb -l dry-run -d 'Connect and report what would be done, change nothing'
# -q, --quiet
complete -c pg-createdb -s q -l quiet -d 'Print nothing but errors'
# --format=FORMAT
complete -c pg-createdb -l format -x -a 'text json' -d 'Output format'
# -V, --version
complete -c pg-createdb -s V -l version -d 'Output version information, then exit'
# -?, --help
complete -c pg-createdb -s '?' -l help -d 'Show help, then exit'
# --lock-timeout=SECONDS
complete -c pg-createdb -l lock-timeout -x -d 'Give up when a lock is not granted within SECONDS'

# Connection options
# -h, --host=HOSTNAME
complete -c pg-createdb -s h -l host -x -a '(__fish_print_hostnames) (__fish_complete_directories)' -d 'Database server host or socket directory'
# -p, --port=PORT
complete -c pg-createdb -s p -l port -x -d 'Database server port'
# -U, --username=USERNAME
complete -c pg-createdb -s U -l username -x -a '(__pgkit_query login-roles)' -d 'User name to connect as'
# -w, --no-password
complete -c pg-createdb -s w -l no-password -d 'Never prompt for password'
# -W, --password
complete -c pg-createdb -s W -l password -d 'Force password prompt'
# --maintenance-db=DBNAME
complete -c pg-createdb -l maintenance-db -x -a '(__pgkit_query databases)' -d 'Alternate maintenance database (or a connection string)'
# --connect-timeout=SECONDS
complete -c pg-createdb -l connect-timeout -x -d 'Give up connecting after SECONDS (default 10)'
# --wait=SECONDS
complete -c pg-createdb -l wait -x -d 'Keep trying to connect for up to SECONDS'
