/* main.c - cdpmock-selfcheck, the program behind `cdpmock --self-check`.
 * The check runner is a CDP client (clients/c, on libwebsockets); the
 * server is not, and keeping the client out of it keeps libwebsockets and
 * the TLS libraries it links out of every cdpmock start.  cdpmock execs
 * this program with its own path in CDPMOCK_SELFCHECK_SERVER: that is the
 * server the checks launch, and where the scenario library is looked for.
 * Run directly, it checks against the cdpmock beside it. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launch.h"
#include "scenlib.h"
#include "selfcheck.h"

int main(int argc, char **argv)
{
	const char *server = getenv("CDPMOCK_SELFCHECK_SERVER");
	char beside[PATH_MAX];
	if (!server || !*server) {
		ssize_t n = readlink("/proc/self/exe", beside, sizeof(beside) - 1);
		char *slash = n > 0 ? (beside[n] = '\0', strrchr(beside, '/')) : NULL;
		if (!slash || (size_t)(slash - beside) + sizeof("/cdpmock") > sizeof(beside)) {
			fprintf(stderr, "cdpmock-selfcheck: cannot find cdpmock; set "
					"CDPMOCK_SELFCHECK_SERVER\n");
			return 2;
		}
		strcpy(slash, "/cdpmock");
		server = beside;
	}
	launch_set_default_bin(server);
	scenlib_set_exe(server);
	return selfcheck_main(argc - 1, argv + 1);
}
