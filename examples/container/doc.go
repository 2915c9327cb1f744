// Package container holds the example container image of README.md
// ("Containers"): a Dockerfile whose entry point is svscan, and the service
// tree it copies to /etc/service (service/: web, the main program, with
// shutdown-on-exit, and helper, each logged by multilog to the volume
// /var/log).
//
// Docker cannot run in the test suite; the tests check the Dockerfile as far
// as they can without it (every COPY source exists, the programs the tree
// needs are copied, the binaries are static), and run the very tree as the
// image does: svscan as process 1 of a new PID namespace (unshare --pid
// --fork --mount-proc, as root) with a private /var/log.
package container
