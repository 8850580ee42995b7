#!/usr/bin/env bash
# Provides the PostgreSQL server the job-store tests use: installs Debian's
# postgresql if missing, starts its cluster, creates the test role and database,
# and prints `export DANIEL_TEST_POSTGRES_URL=...` for `eval`.
# Everything it says besides that line goes to stderr.
set -euo pipefail

ROLE=daniel
PASSWORD=daniel
DB=daniel_test
PORT=${PGPORT:-5432}

say() { echo "test-postgres: $*" >&2; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    say "installing postgresql"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
fi

if ! pg_lsclusters -h 2>/dev/null | grep -q online; then
    say "starting the cluster"
    cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
    if [ -z "$cluster" ]; then
        version=$(ls /usr/lib/postgresql | sort -n | tail -1)
        pg_createcluster "$version" main >&2
        cluster="$version main"
    fi
    # shellcheck disable=SC2086
    pg_ctlcluster $cluster start >&2
fi

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtAc \"$1\"" ; }
for _ in $(seq 1 30); do psql_admin "SELECT 1" >/dev/null 2>&1 && break; sleep 0.5; done
[ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" = 1 ] \
    || psql_admin "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'" >&2
[ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$DB'")" = 1 ] \
    || su postgres -c "createdb -O $ROLE $DB" >&2

say "ready on 127.0.0.1:$PORT (database $DB)"
echo "export DANIEL_TEST_POSTGRES_URL=postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
