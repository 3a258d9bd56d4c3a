/* cdpm.h - the error convention shared by every cdpmock program.
 * Functions return int: 0 for success, a negative CDPM_E* value on failure.
 * Turning these into CDP protocol error objects happens only in router.c. */
#ifndef CDPM_H
#define CDPM_H

#include <stddef.h>

enum cdpm_err {
	CDPM_OK = 0,
	CDPM_ENOMEM = -1,   /* allocation failed */
	CDPM_EINVAL = -2,   /* bad argument or malformed input */
	CDPM_ETOOBIG = -3,  /* a cap (frame, queue, buffer, file) was hit */
	CDPM_EIO = -4,      /* a system call failed; errno has the detail */
	CDPM_ENOENT = -5,   /* no such thing (file, target, session, stream) */
	CDPM_ESTATE = -6,   /* not allowed in the current state */
	CDPM_EPROTO = -7,   /* the peer broke the wire protocol */
	CDPM_ECLOSED = -8,  /* the peer or connection is gone */
	CDPM_EAGAIN = -9,   /* would block; try again when writable */
	CDPM_ESCENARIO = -10, /* a scenario file is invalid */
};

/* cdpm_strerror() - a static English text for an error code; never NULL. */
const char *cdpm_strerror(int err);

#define CDPM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* container_of() - the struct of type that holds member at ptr (a timer or
 * list link embedded in a bigger object).  The one definition. */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
