/* scenfile.h - {"$file": "NAME"}: a JSON value kept in a file beside the
 * scenario (gzip or plain JSON), such as the big payloads of a recording
 * (docs/scenario-format.md, "Values in other files"). */
#ifndef CDPM_SCENFILE_H
#define CDPM_SCENFILE_H

#include <jansson.h>

struct jcheck;

/* Largest value one reference may hold, decompressed. */
#define SCENFILE_MAX ((size_t)256 * 1024 * 1024)

/* scenfile_expand() - replaces every {"$file": NAME} object under root by
 * the JSON value in NAME, relative to dir (NULL: the scenario came from no
 * file, and any reference is an error).  NAME must be relative and must not
 * contain "..".  Values read are not searched again.  Errors go to j. */
void scenfile_expand(json_t *root, const char *dir, struct jcheck *j);

#endif
