#ifndef OCTET_API_INTERNAL_H
#define OCTET_API_INTERNAL_H
// What the Swift half of the C API needs from the C half, beyond octet.h.
#include "octet.h"

void octet_api_set_last_error(const char *message);

#endif
