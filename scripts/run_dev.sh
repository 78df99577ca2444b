#!/usr/bin/env bash
# `make run`: the development server and the background worker (django-tasks' db_worker) together; however this
# is stopped — Ctrl-C, SIGTERM to make or to this script, the server exiting — both stop.
#
# Each runs in a session of its own (setsid), so that stopping it stops its children too (runserver's
# autoreloader runs the server in a child process). A SIGTERM sent to make reaches make alone, not this script:
# the loop at the end watches make (the parent) and stops everything once it is gone.
set -u
port="${1:-8000}"
manage=(.venv/bin/python manage.py)
mkdir -p var

setsid "${manage[@]}" db_worker >var/db_worker.log 2>&1 &
worker=$!
# runserver serves kaohe.wsgi, which refuses the development settings unless told this is a developer's machine.
KAOHE_ALLOW_INSECURE=true setsid "${manage[@]}" runserver "127.0.0.1:${port}" &
server=$!

stop() {
    trap - EXIT INT TERM HUP
    kill -TERM -- "-${server}" "-${worker}" 2>/dev/null
    wait 2>/dev/null
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

parent=$PPID
while kill -0 "$server" 2>/dev/null && kill -0 "$worker" 2>/dev/null && kill -0 "$parent" 2>/dev/null; do
    sleep 1
done
