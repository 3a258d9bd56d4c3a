#!/bin/sh
# The reference C adapter (clients/c/adapter.c), built as build/cdpc-adapter.
# CDPC_ADAPTER_BIN points elsewhere (another build folder) when set.
exec "${CDPC_ADAPTER_BIN:-../../../build/cdpc-adapter}" "$@"
