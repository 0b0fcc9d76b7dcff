# The sandbox's sources without main.c (the server) and seed.c: the request handling that the
# fivetrex-sandbox binary and the fuzzers (tests/fuzz) compile in.
set(FTX_SANDBOX_CORE_SOURCES
  ${CMAKE_SOURCE_DIR}/sandbox/store.c
  ${CMAKE_SOURCE_DIR}/sandbox/validate.c
  ${CMAKE_SOURCE_DIR}/sandbox/paging.c
  ${CMAKE_SOURCE_DIR}/sandbox/emit.c
  ${CMAKE_SOURCE_DIR}/sandbox/sync.c
  ${CMAKE_SOURCE_DIR}/sandbox/h_groups.c
  ${CMAKE_SOURCE_DIR}/sandbox/h_destinations.c
  ${CMAKE_SOURCE_DIR}/sandbox/h_connections.c
  ${CMAKE_SOURCE_DIR}/sandbox/h_schemas.c
  ${CMAKE_SOURCE_DIR}/sandbox/h_webhooks.c
  ${CMAKE_SOURCE_DIR}/sandbox/router.c
  ${CMAKE_SOURCE_DIR}/sandbox/routes_gen.c
  ${CMAKE_SOURCE_DIR}/sandbox/collections.c
  ${CMAKE_SOURCE_DIR}/sandbox/util.c
  ${CMAKE_SOURCE_DIR}/sandbox/deliver.c
  ${CMAKE_SOURCE_DIR}/sandbox/dump.c
  ${CMAKE_SOURCE_DIR}/sandbox/admin.c)
