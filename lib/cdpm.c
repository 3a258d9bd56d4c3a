/* cdpm.c - texts for the shared error codes (see cdpm.h). */
#include "cdpm.h"

const char *cdpm_strerror(int err)
{
	switch (err) {
	case CDPM_OK: return "ok";
	case CDPM_ENOMEM: return "out of memory";
	case CDPM_EINVAL: return "invalid argument";
	case CDPM_ETOOBIG: return "size limit exceeded";
	case CDPM_EIO: return "input/output error";
	case CDPM_ENOENT: return "not found";
	case CDPM_ESTATE: return "not allowed in this state";
	case CDPM_EPROTO: return "protocol violation";
	case CDPM_ECLOSED: return "connection closed";
	case CDPM_EAGAIN: return "would block";
	case CDPM_ESCENARIO: return "invalid scenario";
	}
	return "unknown error";
}
