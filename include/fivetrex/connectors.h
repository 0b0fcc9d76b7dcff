/* Placeholder: being written. */
#ifndef FIVETREX_CONNECTORS_H
#define FIVETREX_CONNECTORS_H
#include "client.h"
#include "stream.h"
#endif
