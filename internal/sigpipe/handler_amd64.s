#include "textflag.h"

// handler is a signal handler with the C calling convention:
// void handler(int sig, siginfo_t *info, void *ctx). It writes the byte
// sig to the descriptor in ·wfd and returns. The byte is kept in the red
// zone below the stack pointer, which the kernel skips when it builds the
// frame of a nested signal. The kernel saved every register in the signal
// frame and restores them in rt_sigreturn.
TEXT ·handler(SB),NOSPLIT|NOFRAME,$0
	MOVB	DI, -8(SP)
	MOVQ	·wfd(SB), DI
	LEAQ	-8(SP), SI
	MOVQ	$1, DX
	MOVQ	$1, AX // SYS_write
	SYSCALL
	RET

// restorer returns from the handler (SA_RESTORER is required on amd64).
TEXT ·restorer(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$15, AX // SYS_rt_sigreturn
	SYSCALL
	INT	$3

// func handlerPC() uintptr
TEXT ·handlerPC(SB),NOSPLIT,$0-8
	LEAQ	·handler(SB), AX
	MOVQ	AX, ret+0(FP)
	RET

// func restorerPC() uintptr
TEXT ·restorerPC(SB),NOSPLIT,$0-8
	LEAQ	·restorer(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
