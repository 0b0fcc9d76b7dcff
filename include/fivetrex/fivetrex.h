/**
 * @file fivetrex/fivetrex.h
 * @brief Umbrella header: `#include <fivetrex/fivetrex.h>` gives the whole API.
 */
#ifndef FIVETREX_FIVETREX_H
#define FIVETREX_FIVETREX_H

#include "version.h"
#include "common.h"
#include "error.h"
#include "client.h"
#include "stream.h"
#include "groups.h"
#include "connectors.h"
#include "destinations.h"
#include "webhooks.h"
#include "webhook.h"
#include "sync_logs.h"
#include "request.h"
#include "batch.h"
#include "extras.h"
#include "api.h"

#endif
