# check_compile.cmake — a try-compile test, run by CTest:
#   cmake -DCXX=... -DINCLUDE=... -DSOURCE=... -P check_compile.cmake
# The source's good variant must compile and its DCB_BAD variant must fail with a compiler error, so a
# broken harness (wrong include path, typo) cannot pass as a "rejection".
foreach(v CXX INCLUDE SOURCE)
	if(NOT DEFINED ${v})
		message(FATAL_ERROR "check_compile.cmake: ${v} is not set")
	endif()
endforeach()
set(flags -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I${INCLUDE} ${SOURCE})
execute_process(COMMAND ${CXX} ${flags} RESULT_VARIABLE good_rc OUTPUT_VARIABLE good_out ERROR_VARIABLE good_out)
if(NOT good_rc EQUAL 0)
	message(FATAL_ERROR "the good variant of ${SOURCE} does not compile:\n${good_out}")
endif()
execute_process(COMMAND ${CXX} ${flags} -DDCB_BAD RESULT_VARIABLE bad_rc OUTPUT_VARIABLE bad_out ERROR_VARIABLE bad_out)
if(bad_rc EQUAL 0)
	message(FATAL_ERROR "the DCB_BAD variant of ${SOURCE} compiled, but the builder must reject it")
endif()
if(NOT bad_out MATCHES "error")
	message(FATAL_ERROR "the DCB_BAD variant of ${SOURCE} failed without a compiler error:\n${bad_out}")
endif()
message(STATUS "rejected as expected: ${SOURCE}")
