# Helpers to compile guest programs outside CMake's own toolchain (the project
# compiler is the host's; guest programs need the cross compilers) and to
# register the CTest entries that run them through run_compare.sh.

set(MIMIC_RUN_COMPARE ${CMAKE_CURRENT_LIST_DIR}/run_compare.sh)

# Flags shared by the host and guest builds of the portable C/C++ tests, so
# both sides compute the same thing (-ffp-contract=off: no fused multiply-add
# on riscv64 where x86-64 rounds twice).
set(MIMIC_GUEST_CFLAGS -O2 -ffp-contract=off -pthread -Wall -Wextra)
if(MIMIC_WERROR)
  list(APPEND MIMIC_GUEST_CFLAGS -Werror)
endif()

# mimic_guest_compile(OUTPUT <file> COMPILER <cc> SOURCE <src>
#                     [FLAGS <flags...>] [LIBS <libs...>] [OWN_TARGET <name>])
# Compiles and links one program. Header dependencies come from a depfile.
# The output is collected in the directory property MIMIC_GUEST_OUTPUTS; the
# directory's CMakeLists must end with mimic_guest_programs_target().
# OWN_TARGET instead makes a separate `all` target for this one program.
function(mimic_guest_compile)
  cmake_parse_arguments(A "" "OUTPUT;COMPILER;SOURCE;OWN_TARGET" "FLAGS;LIBS" ${ARGN})
  get_filename_component(dir ${A_OUTPUT} DIRECTORY)
  file(RELATIVE_PATH rel ${CMAKE_BINARY_DIR} ${A_OUTPUT})
  add_custom_command(OUTPUT ${A_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${A_COMPILER} ${A_FLAGS} -MD -MF ${A_OUTPUT}.d -o ${A_OUTPUT} ${A_SOURCE} ${A_LIBS}
    DEPENDS ${A_SOURCE}
    DEPFILE ${A_OUTPUT}.d
    COMMENT "Building guest program ${rel}"
    VERBATIM)
  if(A_OWN_TARGET)
    add_custom_target(${A_OWN_TARGET} ALL DEPENDS ${A_OUTPUT})
  else()
    set_property(DIRECTORY APPEND PROPERTY MIMIC_GUEST_OUTPUTS ${A_OUTPUT})
  endif()
endfunction()

# One `all` target per directory that builds every program compiled above.
function(mimic_guest_programs_target name)
  get_property(outputs DIRECTORY PROPERTY MIMIC_GUEST_OUTPUTS)
  add_custom_target(${name} ALL DEPENDS ${outputs})
endfunction()

# mimic_guest_add_test(NAME <name> MODE compare|expected|exit0 GUEST <prog>
#                      [HOST <prog>] [EXPECTED <file>] [SYSROOT <dir>]
#                      [ARGS_FILE <file>] [LABELS <labels...>])
#   compare   run HOST natively and GUEST under the runner; stdout and exit
#             status must be identical.
#   expected  GUEST's stdout and exit status must match the EXPECTED file.
#   exit0     GUEST must exit with status 0.
# ARGS_FILE holds the program's arguments, one per line.
function(mimic_guest_add_test)
  cmake_parse_arguments(A "" "NAME;MODE;GUEST;HOST;EXPECTED;SYSROOT;ARGS_FILE" "LABELS" ${ARGN})
  if(MIMIC_GUEST_RUNNER)
    set(runner "${MIMIC_GUEST_RUNNER}")
  else()
    set(runner "$<TARGET_FILE:mimic-riscv64>")
  endif()
  set(args --mode ${A_MODE} --guest ${A_GUEST} --timeout ${MIMIC_GUEST_TIMEOUT})
  if(A_HOST)
    list(APPEND args --host ${A_HOST})
  endif()
  if(A_EXPECTED)
    list(APPEND args --expected ${A_EXPECTED})
  endif()
  if(A_SYSROOT)
    list(APPEND args --sysroot ${A_SYSROOT})
  endif()
  if(A_ARGS_FILE)
    list(APPEND args --args-file ${A_ARGS_FILE})
  endif()
  set(backends "${MIMIC_TEST_BACKENDS}")
  if(NOT backends)
    set(backends "-")
  endif()
  math(EXPR ctest_timeout "2 * ${MIMIC_GUEST_TIMEOUT} + 30")
  foreach(backend IN LISTS backends)
    set(test_name ${A_NAME})
    set(env "")
    if(NOT backend STREQUAL "-")
      set(test_name ${A_NAME}@${backend})
      if(backend STREQUAL "jit")
        # Every block through the JIT (no interpreter first tier).
        set(env "MIMIC_BACKEND=jit;MIMIC_TIER_THRESHOLD=0")
      elseif(backend STREQUAL "jit-hot")
        # Tier-up and hot regions after two runs: short test programs
        # exercise both.
        set(env "MIMIC_BACKEND=jit;MIMIC_TIER_THRESHOLD=2;MIMIC_REGION_THRESHOLD=2")
      else()
        set(env MIMIC_BACKEND=${backend})
      endif()
    endif()
    add_test(NAME ${test_name} COMMAND bash ${MIMIC_RUN_COMPARE} --runner "${runner}" ${args})
    set_tests_properties(${test_name} PROPERTIES
      LABELS "guest;${A_LABELS}" TIMEOUT ${ctest_timeout})
    if(env)
      set_tests_properties(${test_name} PROPERTIES ENVIRONMENT "${env}")
    endif()
  endforeach()
endfunction()
