#include "octet.h"

#include <string.h>

// The C API's message for the calling thread's last failed call. Thread-local, so two threads that fail
// at once each read their own.
static _Thread_local char last_error[4096];

const char *octet_last_error(void) { return last_error; }

// Set by the Swift side of the API (not declared in octet.h); the message is cut to the buffer.
void octet_api_set_last_error(const char *message) {
    if (!message) message = "";
    size_t n = strlen(message);
    if (n >= sizeof last_error) n = sizeof last_error - 1;
    memcpy(last_error, message, n);
    last_error[n] = 0;
}
