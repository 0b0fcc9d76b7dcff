/* Placeholder: being written. */
#ifndef FIVETREX_WEBHOOKS_H
#define FIVETREX_WEBHOOKS_H
#include "client.h"
#include "stream.h"
#endif
