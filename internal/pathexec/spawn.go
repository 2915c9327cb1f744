package pathexec

import "syscall"

// Spawn starts argv[0] in a new process found by Search in the PATH of
// attr.Env, one fork+exec (syscall.ForkExec) per candidate, and returns its
// pid. The child gets exactly attr.Files as descriptors 0, 1, 2..., default
// signal handlers and an empty signal mask; a child whose exec failed has
// been reaped by ForkExec when Spawn returns, so the caller only ever waits
// for pids it was given.
func Spawn(argv []string, attr *syscall.ProcAttr) (int, error) {
	pid := 0
	err := Search(argv[0], attr.Env, func(path string) error {
		p, err := syscall.ForkExec(path, argv, attr)
		if err == nil {
			pid = p
		}
		return err
	})
	return pid, err
}
