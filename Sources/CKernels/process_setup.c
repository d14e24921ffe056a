// Process set-up that Swift 6 cannot express safely (stdout is a mutable C global; prctl is variadic).
#include "ckernels.h"
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

void tl_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

int tl_exit_with_parent(void) {
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    // The parent may have died before prctl took effect.
    return getppid() == parent ? 0 : -1;
}
