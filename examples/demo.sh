#!/bin/sh
# `make demo`: the daemontools how-to's hello service under our svscan,
# in the foreground, over examples/service. Needs no root and writes only
# inside the service directory. Ctrl-C stops svscan, then the services and
# their logs (svc -dx), and waits until every supervise has exited.
#
# DEMO_BIN (default: the checkout's bin/) and DEMO_SERVICE (default:
# examples/service) let the tests run it elsewhere.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${DEMO_BIN:-$top/bin}
service=${DEMO_SERVICE:-$top/examples/service}
hello=$service/hello
PATH=$bin:$PATH
export PATH

cat <<MSG
svscan is scanning $service: hello starts at once, its log/run
(multilog t ./main) next to it, and clock, a service using the lifecycle
files (finish, down-signal, timeout-kill, restart-delay, notification-fd:
see docs/supervise.md). In another terminal, try:

  export PATH=$bin:\$PATH
  svstat $hello $hello/log
  tail -f $hello/junklog.log
  svc -d $hello        # down: the timestamps stop
  svc -u $hello        # up again
  svc -t $hello        # TERM: restarted with a new pid
  svok $hello; echo \$?
  tail -f $hello/log/main/current | tai64nlocal

  svctl status $service/*           # state, readiness, restarts, last exit
  svctl restart $service/clock      # waits until the new clock is ready
  svctl log -f $service/clock       # its log, with readable times

Press Ctrl-C to stop everything.
MSG

stop() {
	trap '' INT TERM
	kill "$pid" 2>/dev/null # svscan first, so that it restarts nothing
	wait "$pid" 2>/dev/null
	svc -dx "$service"/* "$service"/*/log 2>/dev/null
	for d in "$service"/* "$service"/*/log; do
		while svok "$d" 2>/dev/null; do sleep 0.1; done
	done
	echo "demo: stopped svscan, every service and every log"
	exit 0
}
trap stop INT TERM

# svscan in its own session, so that Ctrl-C reaches only this script,
# which then stops the services in order.
if command -v setsid >/dev/null 2>&1; then
	setsid svscan "$service" &
else
	svscan "$service" &
fi
pid=$!
wait "$pid"
echo "demo: svscan exited" >&2
exit 111
