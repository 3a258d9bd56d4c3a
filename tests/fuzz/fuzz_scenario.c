/* fuzz_scenario.c - the scenario loader: any bytes as a scenario file. */
#include "fuzz.h"

#include "buf.h"
#include "scenario/scenario.h"
#include "scenario/scenload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf errors;
	struct scenario *sc = NULL;
	buf_init(&errors, 0);
	scenload_text((const char *)data, size, "fuzz.json", &errors, &sc);
	scenario_free(sc);
	buf_clear(&errors);
	return 0;
}
