/* Placeholder: being written. */
#ifndef FIVETREX_DESTINATIONS_H
#define FIVETREX_DESTINATIONS_H
#include "client.h"
#include "stream.h"
#endif
