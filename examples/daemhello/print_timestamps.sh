#!/bin/sh
# The daemontools how-to's program: every second, the date and time to a
# file and to stdout. A plain foreground program, never meant to be a
# daemon. The file is ./junklog.log in the service directory (the how-to
# uses /tmp/junklog.log) so that the demo writes only inside the checkout.
log=${JUNKLOG:-./junklog.log}
sleeptime=1
while /bin/true; do
  mydate=`date +%Y%m%d_%H:%M:%S`
  echo $mydate >> $log
  echo $mydate
  sleep $sleeptime
done
