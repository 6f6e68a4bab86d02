# Runs an MPI job that must fail: asserts a non-zero exit, an expected line on stderr, and that
# the whole job ended within MAX_SECONDS (no rank left waiting). Variables (-D): LAUNCH (the
# launcher and its flags, separated by '|'), EXE, MODE, EXPECT (regex), MAX_SECONDS.
string(REPLACE "|" ";" launch "${LAUNCH}")
if(CMAKE_VERSION VERSION_LESS 3.23)
  set(clock "%s000000")  # whole seconds only before CMake 3.23
else()
  set(clock "%s%f")
endif()

string(TIMESTAMP start_us "${clock}" UTC)
execute_process(COMMAND ${launch} ${EXE} ${MODE}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 50)
string(TIMESTAMP end_us "${clock}" UTC)
math(EXPR elapsed_ms "(${end_us} - ${start_us}) / 1000")
message("exit: ${result}; job took ${elapsed_ms} ms (launch included)")

if(err MATCHES "abort test at ([0-9]+) us")
  math(EXPR propagation_ms "(${end_us} - ${CMAKE_MATCH_1}) / 1000")
  message("from abort_all to the end of the job: ${propagation_ms} ms")
endif()

if(result EQUAL 0 OR NOT result MATCHES "^[0-9]+$")
  message(FATAL_ERROR "the job should have failed with an exit code, got '${result}'\n${out}\n${err}")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "stderr lacks '${EXPECT}':\n${err}")
endif()
if(err MATCHES "survived")
  message(FATAL_ERROR "a rank outlived the abort:\n${err}")
endif()
if(elapsed_ms GREATER_EQUAL ${MAX_SECONDS}000)
  message(FATAL_ERROR "the job took ${elapsed_ms} ms to end, more than ${MAX_SECONDS} s")
endif()
