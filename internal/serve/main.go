package serve

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/svctl"
)

// DefaultListen is the address served without --listen.
const DefaultListen = "127.0.0.1:9717"

// options of svctl serve.
type options struct {
	listen string
	dirs   []string
	help   bool
}

// usageError is a bad argument.
type usageError struct{ text string }

func (e *usageError) Error() string { return e.text }

func parse(args []string) (options, error) {
	o := options{listen: DefaultListen}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			o.dirs = append(o.dirs, args[i+1:]...)
			i = len(args)
		case a == "-h" || a == "--help":
			o.help = true
		case a == "--listen" || strings.HasPrefix(a, "--listen="):
			v, ok := strings.CutPrefix(a, "--listen=")
			if !ok {
				if i+1 >= len(args) {
					return o, &usageError{"option --listen requires ADDR"}
				}
				i++
				v = args[i]
			}
			if _, _, err := net.SplitHostPort(v); err != nil {
				return o, &usageError{"--listen: not host:port: " + v}
			}
			o.listen = v
		case len(a) > 1 && a[0] == '-':
			return o, &usageError{"unknown option " + a}
		default:
			o.dirs = append(o.dirs, a)
		}
	}
	if len(o.dirs) == 0 && !o.help {
		return o, &usageError{"no DIR given"}
	}
	return o, nil
}

// Main is svctl serve (the program svctl-serve): args[0] is the program's
// name, the rest what follows "svctl serve". It serves until SIGTERM or
// SIGINT, then returns nil; errors carry svctl's exit codes (diag.Code).
func Main(stdout, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "svctl", W: stderr}
	o, err := parse(args[1:])
	if err != nil {
		io.WriteString(stderr, "svctl: serve: "+err.Error()+"\n") //nolint:errcheck // nowhere to report it
		return log.UsageError("svctl " + svctl.ServeUsage)
	}
	if o.help {
		_, err := io.WriteString(stdout, "usage: svctl "+svctl.ServeUsage+"\n\n"+svctl.ServeHelp)
		return err
	}
	for _, dir := range o.dirs {
		if err := checkDir(dir); err != nil {
			return log.Failure(diag.ExitTemporary, "unable to open scan directory ", dir, diag.Err(err))
		}
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			err = op.Err
		}
		return log.Failure(diag.ExitTemporary, "unable to listen on ", o.listen, diag.Err(err))
	}
	s := newServer(o.dirs, ln.Addr(), stderr)
	// The address as asked for, with the port bound (for port 0).
	host, _, _ := net.SplitHostPort(o.listen)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	addr := net.JoinHostPort(host, port)
	if !s.loopback {
		log.Warn("serve: ", addr, " is not a loopback address: whoever can reach it sees the state ",
			"and the logs of every service, without authentication")
	}
	io.WriteString(stderr, "svctl: serve: listening on http://"+addr+"/\n") //nolint:errcheck // nowhere to report it
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := s.serve(ctx, ln); err != nil {
		return log.Failure(diag.ExitTemporary, "serve", diag.Err(err))
	}
	return nil
}

// checkDir tells whether dir can be listed now.
func checkDir(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), dir)
	defer f.Close()
	_, err = f.Readdirnames(1)
	if err == io.EOF {
		err = nil
	}
	return err
}
