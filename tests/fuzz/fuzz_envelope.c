/* fuzz_envelope.c - the envelope parser (JSON syntax, Chrome's message
 * checks) and the parameter validator.  The params of a well-formed message
 * are checked against its own method when the descriptor has it, and also
 * against a method picked by the input's length, so every parameter type
 * gets exercised. */
#include "fuzz.h"

#include "buf.h"
#include "cdp/envelope.h"
#include "cdp/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envelope e;
	struct buf err;
	buf_init(&err, 65536);
	if (envelope_parse(&e, (const char *)data, size) == 0) {
		const char *method = envelope_string(json_object_get(e.root, "method"));
		const struct protocol_method *m = method ? protocol_find(method) : NULL;
		if (m)
			protocol_validate(m, e.params, &err);
		m = &protocol_table_methods[size % protocol_table_nmethods];
		protocol_validate(m, e.params, &err);
	}
	envelope_clear(&e);
	buf_clear(&err);
	return 0;
}
