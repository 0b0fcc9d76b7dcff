/* Placeholder: being written. */
#ifndef FIVETREX_SYNC_LOGS_H
#define FIVETREX_SYNC_LOGS_H
#include "client.h"
#include "stream.h"
#endif
