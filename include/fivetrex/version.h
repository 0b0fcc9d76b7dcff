/**
 * @file fivetrex/version.h
 * @brief Version of the fivetrex headers.
 */
#ifndef FIVETREX_VERSION_H
#define FIVETREX_VERSION_H

#define FTX_VERSION_MAJOR 0
#define FTX_VERSION_MINOR 2
#define FTX_VERSION_PATCH 0
/** The version as a string, e.g. "0.2.0". */
#define FTX_VERSION "0.2.0"
/** The version as one number: 0xMMmmpp. */
#define FTX_VERSION_NUM ((FTX_VERSION_MAJOR << 16) | (FTX_VERSION_MINOR << 8) | FTX_VERSION_PATCH)

#endif
