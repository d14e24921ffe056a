// Process set-up that Swift 6 cannot express safely (stdout is a mutable C global).
#include "ckernels.h"
#include <stdio.h>

void tl_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
