/* cbor.h - sizes of the CBOR form Chrome gives a JSON message.  Chrome turns
 * every incoming message into CBOR (crdtp ConvertJSONToCBOR) before it checks
 * it, and its error positions are byte offsets into that form; cdpmock never
 * builds the bytes, it only adds up their sizes.  Not a CBOR codec. */
#ifndef CDPM_CBOR_H
#define CDPM_CBOR_H

#include <jansson.h>
#include <stddef.h>

/* Every map and array is wrapped in an envelope: d8 18 5a <u32 length>. */
#define CBOR_ENVELOPE_SIZE 7

/* cbor_header_size() - bytes of a CBOR token head carrying the value n
 * (a length or an unsigned integer): 1, 2, 3, 5 or 9. */
size_t cbor_header_size(unsigned long long n);

/* cbor_string_size() - bytes of the string s (len bytes of UTF-8) as crdtp
 * encodes it: all-ASCII strings are text strings (major type 3, one byte per
 * char); a string with any char above U+007F becomes a UTF-16LE byte string
 * (major type 2, two bytes per UTF-16 unit).  Keys and values alike. */
size_t cbor_string_size(const char *s, size_t len);

/* cbor_size() - bytes of the JSON value v: a map or array is an envelope, a
 * start byte, its entries and a stop byte; an int32 is 1-5 bytes; any other
 * number is a 9-byte double; true, false and null are 1 byte.  The caller
 * keeps ownership of v.  A NULL v counts as 0. */
size_t cbor_size(const json_t *v);

#endif
