/* Placeholder: being written. */
#ifndef FIVETREX_WEBHOOK_H
#define FIVETREX_WEBHOOK_H
#include "client.h"
#include "stream.h"
#endif
